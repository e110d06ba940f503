"""The bureau's own work on the reports: accounts and roles, 复核 (reviews), 抽查
(samples), 通报 (circulars) and the audit trail. Stored apart from the
extracted data (bureau.store), so that reloading reports never touches it.
Contract shared with the circular generator: ../notes/bureau-contract.md.
"""
