"""Reports (báo cáo): the health-insurance list, the half-year report forms 10a to 10d
(TT02 Art 6) and the dashboards of a commune and a province (domain.md section 8)."""
