"""Benchmark: import a synthetic caseload (interchange.md section 1).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python benchmarks/import_caseload.py --rows 1000000

Generates N valid rows spread over all 3,321 communes into a temporary file, then imports
them in process through the same function the CLI calls. The time excludes the process
start-up and the file generation; the last line is a JSON object with the figures.
The target database should be migrated (``flask --app wsgi db upgrade``) and empty.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benefits import create_app  # noqa: E402
from benefits.accounts.audit import Actor  # noqa: E402
from benefits.extensions import db  # noqa: E402
from benefits.places.reference import commune_rows  # noqa: E402
from benefits.registry.caseload_import import COLUMNS, import_caseload  # noqa: E402

HEADER = ",".join(COLUMNS)
# (category, youngest age, oldest age) chosen so that the category fits the age.
PROFILES = [
    ("ELDERLY_POOR_ALONE", 60, 95),
    ("ELDERLY_COMMUNITY_CARE", 60, 95),
    ("DISABLED_SEVERE", 17, 59),
    ("DISABLED_EXTREMELY_SEVERE", 17, 90),
    ("HIV_POOR", 20, 60),
    ("CHILD_NO_SUPPORT", 5, 14),
    ("SINGLE_PARENT_POOR", 25, 50),
]


# Names as a caseload holds them: a few thousand syllables over and over (a family name,
# a middle name, one or two given names), not a number in every name.
FAMILY = str.split(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Lâm Trịnh "
    "Mai Tạ Quách La Kiều Hà Cao Lương Chu Triệu Thái"
)
MIDDLE = {
    "M": str.split("Văn Hữu Đức Minh Quốc Công Xuân Thanh"),
    "F": str.split("Thị Ngọc Thu Thanh Kim Diệu Mỹ Xuân"),
}
GIVEN = str.split(
    "An Anh Bình Châu Chi Cúc Cường Dũng Dung Duyên Giang Hà Hải Hạnh Hằng Hiền Hiếu Hoa Hòa "
    "Hồng Huệ Hùng Hưng Hương Hường Khánh Khoa Lan Liên Linh Loan Long Lộc Mai Minh Nam Nga "
    "Ngân Nguyệt Nhàn Nhung Oanh Phúc Phương Quân Quế Quyên Sơn Sương Tâm Tân Thảo Thắng "
    "Thành Thủy Thư Tiến Toàn Trang Trung Tuấn Tùng Uyên Vân Việt Vinh Xuân Yến"
)


def synthetic_name(rng: random.Random, sex: str) -> str:
    words = [rng.choice(FAMILY), rng.choice(MIDDLE[sex])]
    if rng.random() < 0.3:
        words.append(rng.choice(GIVEN))
    return " ".join([*words, rng.choice(GIVEN)])


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    communes = [c["code"] for c in commune_rows()]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER + "\n")
        for i in range(rows):
            category, young, old = PROFILES[i % len(PROFILES)]
            age = rng.randint(young, old)
            born = date(2023 - age, 1, 1) + timedelta(days=rng.randint(0, 364))
            sex = "F" if i % 2 else "M"
            digit = (0 if born.year < 2000 else 2) + (1 if sex == "F" else 0)
            # Unique IDs beyond a million rows: vary the province code of birth registration.
            province = ("001", "002", "004", "006", "008")[i // 1_000_000 % 5]
            national_id = f"{province}{digit}{born.year % 100:02d}{i % 1_000_000:06d}"
            children = "2" if category == "SINGLE_PARENT_POOR" else "0"
            commune = communes[i % len(communes)]
            fh.write(
                f"{national_id},{synthetic_name(rng, sex)},{born.isoformat()},{sex},{commune},"
                f"Thôn {i % 20},"
                f"{category},{children},{i % 500 + 1}/QĐ-UBND,2024-06-01,2024-07,2024-12,POST,"
                f"PO-{commune},,\n"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    app = create_app()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "caseload.csv"
        print(f"generating {args.rows} rows ...", file=sys.stderr)
        generate(path, args.rows)
        with app.app_context():
            print(f"importing into {db.engine.url.render_as_string()} ...", file=sys.stderr)
            started = time.perf_counter()
            result = import_caseload(
                path,
                skip_invalid=False,
                actor=Actor.system("benchmark"),
                report=lambda line: print(line, file=sys.stderr),
            )
            db.session.commit()
            seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "rows": args.rows,
                "seconds": round(seconds, 2),
                "rows_per_s": round(args.rows / seconds),
                "peak_mb": round(peak_mb),
                "imported": result.imported,
            }
        )
    )


if __name__ == "__main__":
    main()
