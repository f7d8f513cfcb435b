# The C extension is the one thing pyproject.toml cannot declare (before
# setuptools 74); everything else is there.
from setuptools import Extension, setup

setup(ext_modules=[Extension("fastsum._speedups", ["src/fastsum/_speedups.c"])])
