-- The leanest payment line issue #7 allows: benchmarks/README.md, payment batch, seventh
-- round. Run with `psql -f` on a database loaded by benchmarks/payment_batch.py load()
-- (1,000,000 beneficiaries, March 2025, nothing generated yet); it leaves nothing behind.
\timing on
SET jit = off;
SET work_mem = '256MB';
CREATE TEMP TABLE coef AS
  SELECT DISTINCT ON (category_code) category_code, coefficient_pct FROM coefficient_rules
  WHERE effective_month <= 202503 AND min_age IS NULL ORDER BY category_code, effective_month DESC;
CREATE TABLE bench_floor (a int, b int, c int, d int, e text);
CREATE TABLE lean_lines (LIKE payment_lines INCLUDING DEFAULTS);
ALTER TABLE lean_lines ADD COLUMN month int;
CREATE TABLE lean_copy (LIKE lean_lines INCLUDING DEFAULTS);
CREATE TABLE lean_items (LIKE payment_items INCLUDING DEFAULTS);
CREATE UNIQUE INDEX ON lean_items (beneficiary_id, kind, month)
  WHERE status IN ('issued', 'paid') AND case_id IS NULL;

CHECKPOINT;
\echo the floor
INSERT INTO bench_floor SELECT id, person_id, effective_month, dependent_children, code
FROM beneficiaries LIMIT 1000000;

CHECKPOINT;
\echo the lines computed from the registry, no index, not numbered
INSERT INTO lean_lines (id, batch_id, line_no, beneficiary_id, kind, province_code,
  commune_code, payment_method, payment_point, beneficiary_code, national_id, full_name,
  date_of_birth, address, payee_name, payee_national_id, category_codes, coefficient_pct,
  monthly_amount, arrears_amount, arrears_months, one_off_amount, total_amount, status, month)
SELECT b.id, 1, b.id, b.id, 'ALLOWANCE', c.province_code, b.commune_code, b.payment_method,
  b.payment_point, b.code, p.national_id, p.full_name, p.date_of_birth, p.address,
  p.full_name, NULL, bc.category_code, r.coefficient_pct, 2500 * r.coefficient_pct, 0, '', 0,
  2500 * r.coefficient_pct, 'open', 202503
FROM beneficiaries b JOIN persons p ON p.id = b.person_id JOIN communes c ON c.code = b.commune_code
JOIN beneficiary_categories bc ON bc.beneficiary_id = b.id
JOIN coef r ON r.category_code = bc.category_code
WHERE b.status = 'active';

CHECKPOINT;
\echo the lines copied from a table already holding them, no index
INSERT INTO lean_copy SELECT * FROM lean_lines;
TRUNCATE lean_copy;
CREATE UNIQUE INDEX ON lean_copy (beneficiary_id, kind, month);
CHECKPOINT;
\echo the same with the unique ledger index
INSERT INTO lean_copy SELECT * FROM lean_lines;

TRUNCATE lean_lines;
CREATE UNIQUE INDEX ON lean_lines (beneficiary_id, kind, month);
CHECKPOINT;
\echo the leanest line: computed, numbered in list order, ledger index, never paid
INSERT INTO lean_lines (id, batch_id, line_no, beneficiary_id, kind, province_code,
  commune_code, payment_method, payment_point, beneficiary_code, national_id, full_name,
  date_of_birth, address, payee_name, payee_national_id, category_codes, coefficient_pct,
  monthly_amount, arrears_amount, arrears_months, one_off_amount, total_amount, status, month)
SELECT b.id, 1,
  row_number() OVER (PARTITION BY c.province_code
                     ORDER BY b.commune_code, b.payment_point, p.name_sort_key),
  b.id, 'ALLOWANCE', c.province_code, b.commune_code, b.payment_method, b.payment_point,
  b.code, p.national_id, p.full_name, p.date_of_birth, p.address, p.full_name, NULL,
  bc.category_code, r.coefficient_pct, 2500 * r.coefficient_pct, 0, '', 0,
  2500 * r.coefficient_pct, 'open', 202503
FROM beneficiaries b JOIN persons p ON p.id = b.person_id JOIN communes c ON c.code = b.commune_code
JOIN beneficiary_categories bc ON bc.beneficiary_id = b.id
JOIN coef r ON r.category_code = bc.category_code
WHERE b.status = 'active' AND NOT EXISTS (
  SELECT 1 FROM payment_items i WHERE i.beneficiary_id = b.id AND i.kind = 'ALLOWANCE'
  AND i.month = 202503 AND i.status IN ('issued', 'paid') AND i.case_id IS NULL);

CHECKPOINT;
\echo the narrow ledger alone, its unique index
INSERT INTO lean_items (id, batch_id, beneficiary_id, kind, month, coefficient_pct,
  standard_level, amount, category_codes, status)
SELECT b.id, 1, b.id, 'ALLOWANCE', 202503, 100, 2500, 250000, '', 'issued' FROM beneficiaries b;

DROP TABLE bench_floor, lean_lines, lean_copy, lean_items;
