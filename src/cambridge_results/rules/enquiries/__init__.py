"""Enquiries about results: eligibility, deadlines, fees, workflow, appeals (EAR-01..EAR-23)."""
