"""`python -m parabench_format [--check]`: write (or compare) the schema and the code lists."""

import sys

from parabench_format.schema import generated_files


def main(argv: list[str]) -> int:
    stale = 0
    for path, text in generated_files().items():
        if "--check" in argv:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                print(f"{path} is verouderd; draai: python -m parabench_format")
                stale += 1
            else:
                print(f"{path} is actueel.")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"geschreven: {path}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
