"""Build step (not shipped): bytecode for every layer module a cold start loads, nothing else.

Lambda mounts the layer read-only, so a module without a ``.pyc`` is compiled again on every
cold start (measured: the search handler's import 3x slower). Compiling the whole layer would
add about 13 MiB of bytecode for modules no request loads; instead this imports the docsearch
package, the entry points the handlers use and the libraries the format readers load on first use,
then compiles exactly the modules that came in from the layer (``unchecked-hash``: valid whatever the
file times in the zip).
tests/infrastructure/test_layer.py checks that the handlers find bytecode for all they import.

Usage: python bytecode.py <layer python/ directory>
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import pkgutil
import py_compile
import sys
from pathlib import Path

# Loaded by functions/*/app.py besides the docsearch package (or at a request's first use); the format
# readers name the libraries they load on first use themselves (docsearch.ingest.extract.readers).
ENTRY_POINTS = (
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.event_handler.openapi.params",
    "aws_lambda_powertools.event_handler.openapi.dependant",
    "aws_lambda_powertools.event_handler.openapi.encoders",
    "aws_lambda_powertools.event_handler.middlewares.openapi_validation",
    "aws_lambda_powertools.event_handler.types",
    "aws_lambda_powertools.logging.correlation_paths",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.data_classes.sqs_event",
    "aws_lambda_powertools.utilities.typing",
)


# What the Lambda Python runtime provides beside the layer (taken from the build's Python).
RUNTIME = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3"})


class OnlyLayerAndRuntime(importlib.abc.MetaPathFinder):
    """Refuse what Lambda would not find, so optional imports take the same path as on Lambda
    (the build's Python may have, say, aiohttp: opensearch-py would then load its async client)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if "." in name or name in RUNTIME:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name)
        origin = str(spec.origin or "") if spec else ""
        if "-packages" in origin and not Path(origin).resolve().is_relative_to(self.root.resolve()):
            raise ModuleNotFoundError(f"No module named {name!r} in the layer", name=name)
        return None


def main(root: Path) -> int:
    sys.path.insert(0, str(root))
    sys.meta_path.insert(0, OnlyLayerAndRuntime(root))
    import docsearch
    from docsearch.ingest.extract.readers import lazy_imports

    names = [m.name for m in pkgutil.walk_packages(docsearch.__path__, "docsearch.")]
    for name in (*names, *ENTRY_POINTS, *lazy_imports()):
        importlib.import_module(name)
    compiled = 0
    for module in list(sys.modules.values()):
        source = getattr(module, "__file__", None)
        if source and source.endswith(".py") and Path(source).resolve().is_relative_to(root.resolve()):
            py_compile.compile(source, doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            compiled += 1
    print(f"bytecode for {compiled} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
