"""The demo district and the renderer it is written with: test and demo data only.

    python -m demo [--out DIR] [--seed N]   (the same as `python -m etl demo ...`)

Nothing on the production path (extract, load, queries, dashboard) imports
this package; it depends on `etl` for the demo marker and the project root only.

- `demo.generate`: the corpus of 岳阳市云溪区 2019–2024 (`generate()`, `plan()`, `main()`);
- `demo.data`: the district's units and what each sector reports (data only);
- `demo.render`: a report record drawn as a document: `layout()` and the writers
  (.docx, .txt, .html; .pdf/.doc through LibreOffice);
- `demo.blocks`: `RenderOptions`, `ProseStyle` and the paragraphs and grid tables
  every writer draws; `demo.template`: the bureau's fill-in template in those;
  `demo.prose`: the same record as a Hunan prose report;
- `demo.expected`: `expected_record()`, what an exact extractor reads back from
  the rendered bytes (its warnings aside).
"""
from .generate import generate, main, plan

__all__ = ["generate", "main", "plan"]
