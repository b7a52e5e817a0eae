"""The candidate results website: access, release and what a candidate sees (CRW-01..CRW-13)."""
