"""Monthly payment batches (chi trả trợ cấp hằng tháng): generation in SQL, lock, exports,
reconciliation with the post office."""
