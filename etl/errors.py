"""The one exception the loader's readers and parsers raise for a file that cannot be used."""


class RefusedFile(Exception):
    """A file that cannot be used. The message is for people (Chinese): the cause and what to do;
    the caller puts the file's name in front of it."""
