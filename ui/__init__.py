"""Streamlit helpers shared by the pages: formatting, colours, filters, cached data, charts."""
