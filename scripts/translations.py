"""Work on Suara's catalogues without hand-editing .po files.

    python scripts/translations.py status
    python scripts/translations.py export th --size 150 --out /tmp/th   # untranslated + fuzzy, as JSON chunks
    python scripts/translations.py apply th /tmp/th/done-*.json         # write translations back
    python scripts/translations.py header th                            # set Language / Plural-Forms
    python scripts/translations.py check th                             # msgfmt formats + glossary terms
    python scripts/translations.py compile                              # .po -> .mo where changed (make setup does it)

A chunk is a JSON list of entries {"msgid", "msgid_plural", "msgctxt", "where", "comment"};
apply takes the same list with "msgstr" (or "msgstr_plural": a list, one per plural form)
filled in. Applying clears the fuzzy flag: a translation written back is a translation.
"""

import argparse
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"

PLACEHOLDER = re.compile(r"%\([^)]*\)[a-z]|\{[^}]*\}")

# gettext plural rules for languages Django's own catalogues do not carry.
PLURAL_FORMS = {
    "fil": "nplurals=2; plural=(n != 1 && n != 2 && n != 3 && (n % 10 == 4 || n % 10 == 6 || n % 10 == 9));",
    "lo": "nplurals=1; plural=0;",
}


def _po(lang: str, domain: str) -> polib.POFile:
    path = LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        sys.exit(f"No catalogue at {path}; run makemessages -l {lang} first.")
    return polib.pofile(str(path), wrapwidth=0)


def _languages() -> list[str]:
    return sorted(p.name for p in LOCALE.iterdir() if (p / "LC_MESSAGES").is_dir())


def _todo(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


def status(args) -> None:
    for lang in _languages():
        for domain in ("django", "djangojs"):
            path = LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"
            if not path.exists():
                continue
            po = _po(lang, domain)
            fuzzy = len(po.fuzzy_entries())
            untranslated = len(po.untranslated_entries())
            print(f"{lang:8} {domain:9} entries={len(po)} untranslated={untranslated} fuzzy={fuzzy}")


def export(args) -> None:
    po = _po(args.lang, args.domain)
    entries = [
        {
            "msgid": e.msgid,
            "msgid_plural": e.msgid_plural or None,
            "msgctxt": e.msgctxt,
            "where": ", ".join(f"{f}:{n}" for f, n in e.occurrences[:2]),
            "comment": e.comment or None,
        }
        for e in _todo(po)
    ]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(entries), args.size):
        chunk = entries[start : start + args.size]
        (out / f"chunk-{start // args.size:03}.json").write_text(json.dumps(chunk, ensure_ascii=False, indent=1))
    print(f"{len(entries)} entries to translate in {out}")


def apply(args) -> None:
    po = _po(args.lang, args.domain)
    index = {(e.msgctxt, e.msgid): e for e in po}
    applied = missing = 0
    for name in args.files:
        for item in json.loads(Path(name).read_text()):
            entry = index.get((item.get("msgctxt"), item["msgid"]))
            if entry is None:
                missing += 1
                continue
            if entry.msgid_plural:
                forms = item.get("msgstr_plural") or [item["msgstr"]]
                entry.msgstr_plural = {i: text for i, text in enumerate(forms)}
            else:
                entry.msgstr = item["msgstr"]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            # The English it was once a translation of, kept by msgmerge for the translator: done with.
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            applied += 1
    po.save()
    print(f"applied={applied} not_in_catalogue={missing}")


def header(args) -> None:
    po = _po(args.lang, args.domain)
    po.metadata["Language"] = args.lang
    po.metadata["Project-Id-Version"] = "Suara"
    po.metadata["Language-Team"] = f"Suara translators ({args.lang})"
    po.metadata["Last-Translator"] = "Machine-assisted; awaiting native review (docs/translations.md)"
    po.metadata["PO-Revision-Date"] = po.metadata.get("POT-Creation-Date", "")
    # msgfmt skips a fuzzy header, and with it the charset and the plural rule.
    po.metadata_is_fuzzy = False
    if args.lang in PLURAL_FORMS:
        po.metadata["Plural-Forms"] = PLURAL_FORMS[args.lang]
    po.save()


def glossary_problems(lang: str, domain: str = "django") -> list[str]:
    """Entries whose translation does not use the language's fixed term (locale/glossary.toml)."""
    glossary = tomllib.loads((LOCALE / "glossary.toml").read_text())
    problems = []
    for name, term in glossary.items():
        forms = [f.casefold() for f in term.get(lang, [])]
        if not forms:
            continue
        pattern = re.compile(term["match"], re.IGNORECASE)
        unrelated = set(term.get("unrelated", []))
        for entry in _po(lang, domain):
            if entry.msgid in unrelated:
                continue
            # A placeholder such as %(reference)s names a value, not the term.
            if entry.obsolete or not entry.translated() or not pattern.search(PLACEHOLDER.sub("", entry.msgid)):
                continue
            texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
            if not all(any(f in text.casefold() for f in forms) for text in texts):
                problems.append(f"{name}: {entry.msgid!r} -> {texts[0]!r} (expected one of {term[lang]})")
    return problems


def compile_all(args) -> None:
    """Write each .po's .mo where the .po is newer: pure Python, so a fresh machine needs no gettext."""
    written = 0
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written += 1
    if written:
        print(f"Compiled {written} translation catalogue(s)")


def check(args) -> None:
    path = LOCALE / args.lang / "LC_MESSAGES" / f"{args.domain}.po"
    result = subprocess.run(
        ["msgfmt", "--check-format", "--check-header", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
    )
    problems = glossary_problems(args.lang, args.domain)
    print(result.stderr, end="")
    for line in problems:
        print(line)
    print(f"msgfmt={'ok' if result.returncode == 0 else 'errors'} glossary_problems={len(problems)}")
    sys.exit(1 if result.returncode or problems else 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(required=True)
    sub.add_parser("status").set_defaults(func=status)
    sub.add_parser("compile").set_defaults(func=compile_all)
    for name, func in (("export", export), ("apply", apply), ("header", header), ("check", check)):
        p = sub.add_parser(name)
        p.add_argument("lang")
        p.add_argument("--domain", default="django", choices=("django", "djangojs"))
        p.set_defaults(func=func)
        if name == "export":
            p.add_argument("--size", type=int, default=150)
            p.add_argument("--out", required=True)
        if name == "apply":
            p.add_argument("files", nargs="+")
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
