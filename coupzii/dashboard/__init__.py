"""The operators' dashboard (the admin's home): its figures, read from the apps' daily rollups
(figures.py), its cards, charts, exports and the health panel."""
