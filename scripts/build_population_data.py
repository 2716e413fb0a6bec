#!/usr/bin/env python
"""Build the reference population data shipped in app/representation/data.

Run from the repository root:

    python scripts/build_population_data.py [--census XLSX] [--register XLSX] [--out DIR]

Defaults: ../shared/data/census2020/table2-1.xlsx and
../shared/data/resident-register/2204ssnen.xlsx (relative to the repository root),
output app/representation/data. Writes areas.csv, census2020.csv, register2022.csv
and SOURCES.md, then prints the file sizes. The output is deterministic.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CENSUS = ROOT / ".." / "shared" / "data" / "census2020" / "table2-1.xlsx"
DEFAULT_REGISTER = ROOT / ".." / "shared" / "data" / "resident-register" / "2204ssnen.xlsx"
DEFAULT_OUT = ROOT / "app" / "representation" / "data"

# SHA-256 of the files as published (from the READMEs beside them).
EXPECTED_SHA256 = {
    "table2-1.xlsx": "b8e395c1341f1772d153343ed0435c5f656c888ab33127c7bed88d170cc733bf",
    "2204ssnen.xlsx": "645232460cd9b2dc44887cb520c6acb5933c12a6947d86aa19bcb8cccba1539e",
}

# code: (name_ja as in the sources, English name). Prefectures in JIS order.
ENGLISH_NAMES = {
    "00000": ("全国", "Japan"),
    "01000": ("北海道", "Hokkaido"), "02000": ("青森県", "Aomori"), "03000": ("岩手県", "Iwate"),
    "04000": ("宮城県", "Miyagi"), "05000": ("秋田県", "Akita"), "06000": ("山形県", "Yamagata"),
    "07000": ("福島県", "Fukushima"), "08000": ("茨城県", "Ibaraki"), "09000": ("栃木県", "Tochigi"),
    "10000": ("群馬県", "Gunma"), "11000": ("埼玉県", "Saitama"), "12000": ("千葉県", "Chiba"),
    "13000": ("東京都", "Tokyo"), "14000": ("神奈川県", "Kanagawa"), "15000": ("新潟県", "Niigata"),
    "16000": ("富山県", "Toyama"), "17000": ("石川県", "Ishikawa"), "18000": ("福井県", "Fukui"),
    "19000": ("山梨県", "Yamanashi"), "20000": ("長野県", "Nagano"), "21000": ("岐阜県", "Gifu"),
    "22000": ("静岡県", "Shizuoka"), "23000": ("愛知県", "Aichi"), "24000": ("三重県", "Mie"),
    "25000": ("滋賀県", "Shiga"), "26000": ("京都府", "Kyoto"), "27000": ("大阪府", "Osaka"),
    "28000": ("兵庫県", "Hyogo"), "29000": ("奈良県", "Nara"), "30000": ("和歌山県", "Wakayama"),
    "31000": ("鳥取県", "Tottori"), "32000": ("島根県", "Shimane"), "33000": ("岡山県", "Okayama"),
    "34000": ("広島県", "Hiroshima"), "35000": ("山口県", "Yamaguchi"), "36000": ("徳島県", "Tokushima"),
    "37000": ("香川県", "Kagawa"), "38000": ("愛媛県", "Ehime"), "39000": ("高知県", "Kochi"),
    "40000": ("福岡県", "Fukuoka"), "41000": ("佐賀県", "Saga"), "42000": ("長崎県", "Nagasaki"),
    "43000": ("熊本県", "Kumamoto"), "44000": ("大分県", "Oita"), "45000": ("宮崎県", "Miyazaki"),
    "46000": ("鹿児島県", "Kagoshima"), "47000": ("沖縄県", "Okinawa"),
    # The 20 designated cities (政令指定都市).
    "01100": ("札幌市", "Sapporo"), "04100": ("仙台市", "Sendai"), "11100": ("さいたま市", "Saitama"),
    "12100": ("千葉市", "Chiba"), "14100": ("横浜市", "Yokohama"), "14130": ("川崎市", "Kawasaki"),
    "14150": ("相模原市", "Sagamihara"), "15100": ("新潟市", "Niigata"), "22100": ("静岡市", "Shizuoka"),
    "22130": ("浜松市", "Hamamatsu"), "23100": ("名古屋市", "Nagoya"), "26100": ("京都市", "Kyoto"),
    "27100": ("大阪市", "Osaka"), "27140": ("堺市", "Sakai"), "28100": ("神戸市", "Kobe"),
    "33100": ("岡山市", "Okayama"), "34100": ("広島市", "Hiroshima"), "40100": ("北九州市", "Kitakyushu"),
    "40130": ("福岡市", "Fukuoka"), "43100": ("熊本市", "Kumamoto"),
}


def _load_population_files():
    """Load the parser package by path so that importing it does not run app/__init__ (Flask)."""
    package = ROOT / "app" / "representation" / "population_files"
    spec = importlib.util.spec_from_file_location("_population_files", package / "__init__.py",
                                                  submodule_search_locations=[str(package)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while building classes
    spec.loader.exec_module(module)
    return module


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def merge_areas(census_areas, register_areas):
    """Union by code; an area in both files must agree on name, kind and parent."""
    merged = {a.code: a for a in register_areas}
    for a in census_areas:
        if a.code in merged and merged[a.code] != a:
            raise SystemExit(f"census and register disagree on area {a.code}: {a} vs {merged[a.code]}")
        merged.setdefault(a.code, a)
    for a in merged.values():
        if a.parent_code is not None and a.parent_code not in merged:
            raise SystemExit(f"area {a.code} {a.name_ja}: parent {a.parent_code} is missing")
    return [merged[c] for c in sorted(merged)]


def write_areas(areas, path: Path) -> None:
    by_code = {a.code: a for a in areas}
    for code, (name_ja, _) in ENGLISH_NAMES.items():
        if code not in by_code or by_code[code].name_ja != name_ja:
            raise SystemExit(f"English name table: {code} should be {name_ja}, data has {by_code.get(code)}")
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name_ja", "name_en", "kind", "parent_code"])
        for a in areas:
            name_en = ENGLISH_NAMES.get(a.code, ("", ""))[1]
            w.writerow([a.code, a.name_ja, name_en, a.kind, a.parent_code or ""])


SOURCES_TEMPLATE = """\
# Reference population data: sources and derivation

Generated by `scripts/build_population_data.py` from the two official files below; do not
edit by hand. The figures are reused under the 政府標準利用規約（第2.0版） (Government of
Japan Standard Terms of Use 2.0, compatible with CC BY 4.0), which allows reuse, including
modification, provided the source is stated. The files here are modified (reshaped and
reduced) versions of the originals.

## census2020.csv — 2020 Population Census

- 出典：「令和2年国勢調査」（総務省統計局）を加工して作成
- Survey: 令和2年国勢調査 人口等基本集計 (2020 Population Census, basic tabulation)
- Table: 第2-1表 男女，年齢（各歳），国籍総数か日本人別人口，平均年齢及び年齢中位数 —
  全国，都道府県，21大都市，特別区，人口50万以上の市
- Published on e-Stat (https://www.e-stat.go.jp/), statInfId 000032142404, 2021-11-30
- Reference date: 2020-10-01
- Source file: table2-1.xlsx, SHA-256 {census_sha}

Derivation: the all-nationalities rows (0_国籍総数) for 男 and 女; the 総数 rows are only
used to check that male + female add up. Columns are single years 0..109, `110+` (110歳以上)
and `unknown` (年齢「不詳」, kept apart). Cells shown as `-` are 0. The subtotal columns,
mean and median age are dropped. 特別区部 (13100, Tokyo's 23 special wards together) is left
out: it is an aggregate, not a local government, and each ward is present on its own.
{census_areas} areas: the nation, 47 prefectures and {census_munis} municipalities (20 designated
cities, the 23 special wards and the other cities of 500,000 or more).

## register2022.csv — resident register

- 出典：総務省「住民基本台帳に基づく人口、人口動態及び世帯数」
- Table: 令和4年1月1日住民基本台帳年齢階級別人口（市区町村別）（総計）(Japanese and foreign
  residents)
- Reference date: 2022-01-01
- Source file: 2204ssnen.xlsx, SHA-256 {register_sha}

Derivation: the 男 and 女 rows of every prefecture, municipality and designated-city ward, in
5-year bands `0-4` … `95-99` and `100+`. The 6-digit 団体コード is the 5-digit local
government code plus a JIS X 0402 check digit; every check digit was verified and dropped.
Left out: the national total (no code), the 307 district (郡) subtotals, the Tokyo islands
subtotal (島しょ) and the six Northern Territories villages (population 0).
The `unknown` column is 総数 minus the sum of the bands. The Ministry does not publish the
age breakdown of foreign residents in municipalities with few of them (notes 注1/注2 of the
table), so there, and in the prefectures containing them, 総数 exceeds the bands; keeping the
difference as age unknown keeps every total equal to the published 総数
({register_unknown_rows} of {register_rows} rows have a non-zero `unknown`, at most {register_unknown_max}).

## areas.csv

Union of the areas of both files, by 5-digit code: the nation (00000, from the census),
47 prefectures, {n_muni} municipalities (including 20 designated cities as wholes and Tokyo's 23
special wards) and {n_ward} designated-city wards. Names are as published (towns and villages
keep their district prefix, e.g. 八重山郡竹富町; wards keep their city, e.g. 札幌市中央区).
Kinds and parents: prefectures have no parent; a designated-city ward's parent is its city
(inferred from the table: the ward rows follow the city and their names start with it);
every other municipality's parent is its prefecture. English names are given for the nation,
the prefectures and the designated cities only.

## Format

`census2020.csv` and `register2022.csv`: one row per area × sex (`area_code,sex,` then one
column per age range; `18` is a single year, `0-4` a band, `110+` open-ended, `unknown` age
unknown). Read them with `app.representation.population_files.read_compact_csv`.
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--census", type=Path, default=DEFAULT_CENSUS)
    parser.add_argument("--register", type=Path, default=DEFAULT_REGISTER)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    pf = _load_population_files()

    shas = {}
    for path in (args.census, args.register):
        if not path.exists():
            raise SystemExit(f"missing source file {path}")
        shas[path.name] = sha256(path)
        expected = EXPECTED_SHA256.get(path.name)
        if expected and shas[path.name] != expected:
            print(f"warning: {path.name} differs from the published file (SHA-256 {shas[path.name]})",
                  file=sys.stderr)

    census_areas, census_records = pf.read_estat_census(args.census)
    register_areas, register_records = pf.read_register(args.register)
    areas = merge_areas(census_areas, register_areas)

    args.out.mkdir(parents=True, exist_ok=True)
    write_areas(areas, args.out / "areas.csv")
    with open(args.out / "census2020.csv", "w", encoding="utf-8", newline="") as f:
        pf.write_compact_csv(census_records, f)
    with open(args.out / "register2022.csv", "w", encoding="utf-8", newline="") as f:
        pf.write_compact_csv(register_records, f)

    unknown = [r.count for r in register_records if r.age_from is None]
    kinds = [a.kind for a in areas]
    text = SOURCES_TEMPLATE.format(
        census_sha=shas[args.census.name],
        register_sha=shas[args.register.name],
        census_areas=len(census_areas),
        census_munis=sum(a.kind == "municipality" for a in census_areas),
        register_rows=len(unknown),
        register_unknown_rows=sum(1 for n in unknown if n),
        register_unknown_max=f"{max(unknown):,}",
        n_muni=kinds.count("municipality"),
        n_ward=kinds.count("ward"),
    )
    (args.out / "SOURCES.md").write_text(text, encoding="utf-8")

    for name in ("areas.csv", "census2020.csv", "register2022.csv", "SOURCES.md"):
        path = args.out / name
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"{path.stat().st_size:,} bytes")
    print(f"areas: {len(areas)} ({', '.join(f'{k} {kinds.count(k)}' for k in pf.AREA_KINDS)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
