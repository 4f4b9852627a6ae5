"""`python -m parabench_format [--check]`: write (or compare) the shipped JSON Schema."""

import sys

from parabench_format.schema import SCHEMA_PATH, schema_text, write_schema


def main(argv: list[str]) -> int:
    if "--check" in argv:
        current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
        if current != schema_text():
            print(f"{SCHEMA_PATH} is verouderd; draai: python -m parabench_format")
            return 1
        print(f"{SCHEMA_PATH} is actueel.")
        return 0
    print(f"geschreven: {write_schema()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
