"""Import and export of the importable records (initiatives, KPIs with measurements, risks, AI
systems, people) from CSV or XLSX, with a preview before anything is written."""
