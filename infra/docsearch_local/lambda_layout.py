"""What a function's interpreter sees on Lambda, laid out here: its own folder (compiled, as
``make template`` leaves it), the layer as ``sam build`` makes it (layers/docsearch/Makefile), and
the packages the Lambda Python runtime provides, and nothing else: no site-packages, no editable
installs. tests/infrastructure/test_layer.py checks the layer in it; the bench times cold imports in it.
"""

from __future__ import annotations

import compileall
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# What the Lambda Python 3.12 runtime puts on sys.path beside the layer.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3")
# Put first on the interpreter's path: the function, the layer, the runtime (argv[1:4]); the code follows.
PRELUDE = "import sys\nsys.path[:0] = sys.argv[1:4]\n"


def build_layer(artifacts: Path, python: str = sys.executable) -> Path:
    """The layer's Makefile target (what ``sam build`` runs for DocsearchLayer) into ``artifacts``; its python/."""
    subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO / "layers" / "docsearch"), "build-DocsearchLayer",
         f"ARTIFACTS_DIR={artifacts}", f"PYTHON={python}"],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return artifacts / "python"


def runtime_packages(root: Path) -> Path:
    """A folder holding only what the Lambda runtime provides (boto3, botocore...), linked from this venv."""
    import boto3

    site = Path(boto3.__file__).resolve().parents[1]
    root.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_PACKAGES:
        (root / name).symlink_to(site / name)
    return root


def function_code(function: str, root: Path) -> Path:
    """functions/<function>/ copied and compiled, as ``make template`` leaves it in .aws-sam/build."""
    target = root / function
    shutil.copytree(REPO / "functions" / function, target, ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(target, quiet=1)
    return target


@dataclass(frozen=True)
class LambdaLayout:
    """The three folders of a function's path; ``command`` runs code with them alone."""

    layer: Path
    runtime: Path
    root: Path  # where function_code puts the functions' folders

    @classmethod
    def build(cls, root: Path, python: str = sys.executable) -> LambdaLayout:
        return cls(build_layer(root / "layer", python), runtime_packages(root / "runtime"), root / "functions")

    def function(self, name: str | None) -> Path:
        """The folder of function ``name`` (made on first use), or an empty one for code outside any function."""
        path = self.root / (name or "none")
        if not path.exists():
            if name:
                function_code(name, self.root)
            else:
                path.mkdir(parents=True)
        return path

    def command(self, code: str, function: str | None = None, *args: str, importtime: bool = False) -> list[str]:
        """A fresh interpreter that sees only the function, the layer and the runtime (and the standard library);
        no bytecode written (Lambda's /opt and /var/task are read-only). ``args`` follow as sys.argv[4:]."""
        flags = ["-I", "-S", "-B", *(["-X", "importtime"] if importtime else [])]
        paths = (self.function(function), self.layer, self.runtime)
        return [sys.executable, *flags, "-c", PRELUDE + code, *(str(p) for p in paths), *args]
