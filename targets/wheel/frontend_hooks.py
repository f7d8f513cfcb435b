"""pyrelease's PEP 517 hook runner.

Usage: python frontend_hooks.py REQUEST.json RESULT.json

The Go side writes REQUEST and reads RESULT; the backend's own stdout and
stderr are only shown to the user, never parsed, because backends print
whatever they like there. The script runs with the project directory as its
working directory, and it must keep working on every Python 3 a user may
point pyrelease at, so it uses the standard library only (packaging, when
importable, adds version and marker checks to the requirement check).
"""

import importlib
import json
import os
import re
import sys
import traceback


def _drop_own_dir():
    # Running a script puts its directory first on sys.path; a backend must
    # see the same path pip would give it, not pyrelease's temporary files.
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or ".") == here:
        del sys.path[0]


class HookFailure(Exception):
    """A failure already described in the result."""


def _describe(exc):
    if isinstance(exc, SystemExit):
        code = exc.code
        return "SystemExit: %s" % (code if code is not None else 0)
    text = str(exc).strip()
    return "%s: %s" % (type(exc).__name__, text) if text else type(exc).__name__


def _contained(path, parent):
    path = os.path.normcase(os.path.realpath(path))
    parent = os.path.normcase(os.path.realpath(parent))
    return path == parent or path.startswith(parent.rstrip(os.sep) + os.sep)


def load_backend(spec, paths, result):
    sys.path[:0] = paths
    module_name, _, attrs = spec.partition(":")
    result["stage"] = "import"
    try:
        obj = importlib.import_module(module_name.strip())
    except ImportError as exc:
        result["error"] = str(exc) or _describe(exc)
        raise HookFailure()
    if paths:
        origin = getattr(obj, "__file__", None) or ""
        if not any(_contained(origin, p) for p in paths):
            result["error"] = "%s was imported from %s, outside backend-path %s" % (
                module_name, origin, ", ".join(paths))
            raise HookFailure()
    for attr in filter(None, attrs.strip().split(".")):
        try:
            obj = getattr(obj, attr)
        except AttributeError:
            result["error"] = "%s has no attribute %r" % (module_name, attr)
            raise HookFailure()
    return obj


def _requirement_class():
    # Not pip's vendored copy: importing pip makes setuptools' distutils
    # shim stand down, and setuptools then fails to import in a venv.
    try:
        return importlib.import_module("packaging.requirements").Requirement
    except Exception:
        return None


def _installed_version(name):
    try:
        from importlib import metadata
    except ImportError:  # Python < 3.8: cannot tell, let the backend fail
        return ""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        # Older importlib.metadata does not normalise names.
        alt = re.sub(r"[-_.]+", "_", name)
        try:
            return metadata.version(alt)
        except metadata.PackageNotFoundError:
            return None


def why_unsatisfied(text, requirement_class):
    """Return why the requirement is not met, or None when it is (or when
    it cannot be judged: the backend then reports it itself)."""
    if requirement_class is None:
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
        if not m:
            return None
        return "not installed" if _installed_version(m.group(1)) is None else None
    try:
        req = requirement_class(text)
    except Exception:
        return None
    try:
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            return None
    except Exception:
        return None
    version = _installed_version(req.name)
    if version is None:
        return "not installed"
    if version and req.specifier:
        try:
            if not req.specifier.contains(version, prereleases=True):
                return "version %s is installed" % version
        except Exception:
            return None
    return None


def requires_for(backend, kind, result):
    hook = getattr(backend, "get_requires_for_build_" + kind, None)
    if hook is None:
        return []
    result["stage"] = "requires"
    result["hook"] = "get_requires_for_build_" + kind
    reqs = hook(None)
    return [str(r) for r in (reqs or [])]


def run(req, result):
    backend = load_backend(req["backend"], req.get("backend_path") or [], result)
    kinds = req.get("check") or []
    dynamic = {}
    for kind in kinds:
        dynamic[kind] = requires_for(backend, kind, result)
    result["requires"] = dynamic
    if req.get("list"):
        result["stage"] = "done"
        return 0

    result["stage"] = "check"
    result.pop("hook", None)
    requirement_class = _requirement_class()
    wanted = list(req.get("requires") or [])
    for kind in kinds:
        wanted += [r for r in dynamic[kind] if r not in wanted]
    missing = []
    for text in wanted:
        why = why_unsatisfied(text, requirement_class)
        if why:
            missing.append({"requirement": text, "reason": why})
    if missing:
        result["missing"] = missing
        return 1

    kind = req.get("build")
    if not kind:
        result["stage"] = "done"
        return 0
    result["stage"] = "build"
    result["hook"] = "build_" + kind
    hook = getattr(backend, "build_" + kind, None)
    if hook is None:
        result["error"] = "the backend has no build_%s hook" % kind
        return 1
    outdir = req["outdir"]
    name = hook(outdir, None)
    if not name or not os.path.isfile(os.path.join(outdir, name)):
        result["error"] = "build_%s returned %r, which is not a file in %s" % (kind, name, outdir)
        return 1
    result["file"] = name
    result["stage"] = "done"
    return 0


def main():
    # Backends rewrite sys.argv (setuptools runs setup.py through it).
    req_path, res_path = sys.argv[1], sys.argv[2]
    _drop_own_dir()
    with open(req_path, encoding="utf-8") as f:
        req = json.load(f)
    result = {}
    try:
        code = run(req, result)
    except HookFailure:
        code = 1
    except BaseException as exc:  # backends raise SystemExit too
        traceback.print_exc()
        result["error"] = _describe(exc)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    with open(res_path, "w", encoding="utf-8") as f:
        json.dump(result, f)
    return code


if __name__ == "__main__":
    sys.exit(main())
