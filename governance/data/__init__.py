"""The framework catalogue VP Portal ships: NIST AI RMF 1.0, the EU AI Act obligations teams track,
and the risk library: the twelve generative AI risks of the NIST AI 600-1 profile.

The CSV files beside this module are copies of the reference data (NIST AI 100-1 and NIST AI 600-1,
public information; Regulation (EU) 2024/1689, reused with acknowledgement of the source; see
docs/reference-data.md). `load_catalogue()` and `load_risk_library()` are called by the data
migrations and by tests whose database was flushed (transactional and browser tests); running them
again updates the texts in place and never duplicates a requirement.
"""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent

NIST_CODE = "nist-ai-rmf-1.0"
EU_CODE = "eu-ai-act"
GENAI_CODE = "nist-ai-600-1"

FRAMEWORKS = {
    NIST_CODE: {
        "title": "NIST AI RMF 1.0",
        "description": (
            "NIST Artificial Intelligence Risk Management Framework (AI RMF 1.0, NIST AI 100-1): "
            "four functions (Govern, Map, Measure, Manage), their categories and subcategories."
        ),
        "source_url": "https://doi.org/10.6028/NIST.AI.100-1",
    },
    EU_CODE: {
        "title": "EU AI Act",
        "description": (
            "Regulation (EU) 2024/1689 laying down harmonised rules on artificial intelligence: the "
            "articles AI teams most often track, with each article's opening sentence."
        ),
        "source_url": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
    },
    GENAI_CODE: {
        "title": "NIST AI 600-1 Generative AI Profile",
        "description": (
            "NIST AI 600-1, Artificial Intelligence Risk Management Framework: Generative Artificial "
            "Intelligence Profile (July 2024): the twelve risks unique to or made worse by generative "
            "AI. VP Portal's risk library: a risk can be registered from any of them."
        ),
        "source_url": "https://doi.org/10.6028/NIST.AI.600-1",
    },
}

TITLE_LENGTH = 120


def _short(text: str) -> str:
    """NIST has no titles below the functions: the start of the text stands in for one."""
    text = " ".join(text.split())
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _read(name):
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def nist_rows():
    """(code, parent code, level, title, text) of NIST AI RMF 1.0, in document order."""
    for row in _read("nist-ai-rmf-1.0.csv"):
        level = row["level"]
        title = row["code"].capitalize() if level == "function" else _short(row["text"])
        yield row["code"], row["parent_code"] or None, level, title, row["text"]


def eu_rows():
    for row in _read("eu-ai-act-obligations.csv"):
        yield row["code"], None, "article", row["title"], row["text"]


def genai_rows():
    """(code, title, summary, suggested risk category) of the NIST AI 600-1 risks, in document order."""
    for row in _read("nist-ai-600-1-risks.csv"):
        yield row["code"], row["title"], row["summary"], row["suggested_category"]


def load_catalogue(framework_model=None, requirement_model=None):
    """Create or refresh the built-in frameworks. Works with migration (historical) models too; with
    the current models (no arguments) the risk library is loaded as well."""
    library = framework_model is None
    if framework_model is None:
        from governance.models import Framework as framework_model
        from governance.models import Requirement as requirement_model

    if library:
        load_risk_library(framework_model, requirement_model)
    for code, rows in ((NIST_CODE, nist_rows()), (EU_CODE, eu_rows())):
        framework, _ = framework_model.objects.update_or_create(
            code=code, defaults={**FRAMEWORKS[code], "is_builtin": True}
        )
        by_code = {}
        for position, (req_code, parent_code, level, title, text) in enumerate(rows, start=1):
            requirement, _ = requirement_model.objects.update_or_create(
                framework=framework,
                code=req_code,
                defaults={
                    "title": title,
                    "text": text,
                    "level": level,
                    "position": position,
                    "parent": by_code.get(parent_code),
                },
            )
            by_code[req_code] = requirement


def load_risk_library(framework_model=None, requirement_model=None):
    """Create or refresh the risk library: NIST AI 600-1 as a framework of its own, one requirement
    of level `risk` per risk, carrying the category a risk registered from it starts with."""
    if framework_model is None:
        from governance.models import Framework as framework_model
        from governance.models import Requirement as requirement_model

    framework, _ = framework_model.objects.update_or_create(
        code=GENAI_CODE, defaults={**FRAMEWORKS[GENAI_CODE], "is_builtin": True}
    )
    for position, (code, title, summary, category) in enumerate(genai_rows(), start=1):
        requirement_model.objects.update_or_create(
            framework=framework,
            code=code,
            defaults={
                "title": title,
                "text": summary,
                "level": "risk",
                "position": position,
                "parent": None,
                "suggested_category": category,
            },
        )
