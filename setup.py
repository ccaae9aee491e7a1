"""Build step: ``notebooks/`` and ``reports/``, the one source in the repository, are copied into
the package (``impact/_ressources/``) so that an installed wheel finds them
(:func:`impact.resources.resource_folder`). Everything else is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithResources(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for name in ("notebooks", "reports"):
            shutil.copytree(ROOT / name, Path(self.build_lib) / "impact" / "_ressources" / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithResources})
