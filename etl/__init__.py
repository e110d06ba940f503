"""ETL: submitted self-evaluation reports -> report records -> DuckDB.

    python -m etl extract FILE...          one JSON record per line
    python -m etl load PATH... [--db FILE]  files, folders, .zip archives
    python -m etl demo [--out DIR]          the demo district's documents
"""
