"""The demo district and the renderer it is written with: test and demo data only.

    python -m demo [--out DIR] [--seed N]   (the same as `python -m etl demo ...`)

Nothing on the production path (extract, load, queries, dashboard) imports
this package; it depends on `etl` for the demo marker and the project root only.

- `demo.generate`: the corpus of 岳阳市云溪区 2019–2024 (`generate()`, `plan()`, `main()`);
- `demo.data`: the district's units and what each sector reports (data only);
- `demo.render`: a report record drawn as a document (.docx, .txt, .html; .pdf/.doc
  through LibreOffice) and `expected_record()`, what an exact extractor reads from it.
"""
from .generate import generate, main, plan

__all__ = ["generate", "main", "plan"]
