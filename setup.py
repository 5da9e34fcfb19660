"""Build script: the metadata is in setup.cfg; this adds the optional C extension.

``paste_exc._speedups`` runs the middleware's call for a healthy request in C.
It is optional: without a C compiler (or Python's headers) the build warns and
goes on, and paste_exc uses the same logic in pure Python.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("paste_exc._speedups", ["paste_exc/_speedups.c"], optional=True),
    ],
)
