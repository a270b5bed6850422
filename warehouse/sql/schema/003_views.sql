-- Documented views (README, "仓库视图"). Pages and exports read these, never the tables above.
CREATE OR REPLACE VIEW project_history AS
SELECT r.project_id, r.project_code, r.project_name, r.district, r.district_code, r.park,
       r.cluster, r.chain, r.investor, r.total_investment_wan, r.investment_note,
       r.foreign_investment_wan_usd, r.stage, r.sign_date, r.register_date, r.start_date,
       r.production_date, r.period, r.batch, r.lng, r.lat, r.location_approximate,
       r.responsible_unit, r.leader, r.investor_kind, r.investor_origin, r.event,
       r.as_of, r.source_file, r.source_sheet, r.source_row, r.load_id
FROM project_rows r;

CREATE OR REPLACE VIEW projects AS
SELECT c.project_id, c.project_code, c.project_name, c.district, c.district_code, c.park,
       c.cluster, c.chain, c.chain_known, c.investor, c.total_investment_wan, c.investment_note,
       c.foreign_investment_wan_usd, c.stage, c.sign_date, c.register_date, c.start_date,
       c.production_date, c.period, c.batch, c.lng, c.lat, c.location_approximate,
       c.responsible_unit, c.leader, c.investor_kind, c.investor_origin, c.event,
       c.as_of, c.first_seen, c.source_file, c.source_sheet, c.source_row
FROM project_current c;
