// Package targets is pyrelease's Mage targets: import it from a project's
// magefile to version, stamp and bump a Python project from git tags, build
// and check its wheels, frozen tools and installers, and publish builds to a
// snapshot store that the release job fetches them back from.
//
//	//go:build mage
//
//	package main
//
//	import (
//		//mage:import
//		_ "github.com/pyrelease/pyrelease/targets"
//	)
//
// Every exported function here is a target; the work is done by the
// packages below (config, version, pep440, pyfile, changelog, ci, vcs,
// wheel, dist, freeze, archive, installer, store), which a project can also call
// from targets of its own.
// Results go to stdout, logs to stderr; targets pass state to each other
// through dist/ and its manifest, dist/.pyrelease/artifacts.json.
//
// # Configuration
//
// The [tool.pyrelease] table of pyproject.toml; each key can be overridden
// by its environment variable. An unknown key is an error.
//
// config-keys:begin
//   - version-scheme (PYRELEASE_VERSION_SCHEME; string; default pep440): Where the version comes from: "pep440" derives it from the latest git tag, "file" reads it from the version files.
//   - version-file (PYRELEASE_VERSION_FILE; string or array of strings and {path, pattern} tables; default unset): Files holding the version, as paths relative to the project directory or tables whose pattern is a Go regexp with one capture group around the version (the variable takes a comma-separated list of paths).
//   - tag-pattern (PYRELEASE_TAG_PATTERN; string; default unset): Glob in git describe --match style that selects the release tags, such as "pkg/v*"; empty means every tag that reads as a version.
//   - tag-format (PYRELEASE_TAG_FORMAT; string; default unset): How bump names a new tag, containing "{version}" (for example "v{version}"); empty means following the existing tags.
//   - version-format (PYRELEASE_VERSION_FORMAT; string; default pep440): How versions are written: "pep440" or "semver".
//   - changelog (PYRELEASE_CHANGELOG; string or boolean; default unset): Path of the changelog; empty means auto-detect, and "none" (or false) disables changelog handling.
//   - push (PYRELEASE_PUSH; boolean; default false): Whether bump pushes the release commit and tag (the variable takes true/false/1/0/yes/no).
//   - remote (PYRELEASE_REMOTE; string; default origin): Git remote that bump pushes to.
//   - python (PYRELEASE_PYTHON; string; default unset): Python interpreter that builds (a name on PATH or a path); empty means the first of python3, /usr/bin/python3 and python that can import the build backend.
//   - isolation (PYRELEASE_ISOLATION; boolean; default unset): Whether wheel builds in a fresh venv with the build requirements installed by pip from your index; unset means only when no Python here can import the build backend, and false never (offline builds).
//   - installer (PYRELEASE_INSTALLER; string; default auto): What installs the isolated build's requirements and the wheel for the smoke test: "pip" (the interpreter's), "uv", or "auto": uv when it is on PATH and every pip setting an install goes by, in PIP_* variables or pip.conf's [global] and [install], is one uv is given too (index-url, extra-index-url, find-links, no-index, trusted-host, cert, timeout, no-cache-dir), else pip.
//   - repair (PYRELEASE_REPAIR; boolean; default true): Whether wheel repairs a platform wheel before checking it: a linux_* wheel with auditwheel into a manylinux one (the index refuses linux_* wheels), or any platform wheel with repair-command; false ships what the backend built.
//   - repair-command (PYRELEASE_REPAIR_COMMAND; array of strings; default unset): Command that repairs each platform wheel (not *-none-any) instead of auditwheel, with {wheel} and {dest_dir} among its arguments, such as ["delocate-wheel", "-w", "{dest_dir}", "{wheel}"]; it must write one wheel into {dest_dir} (the variable takes space-separated arguments).
//   - tools (PYRELEASE_TOOLS; array of strings; default unset): Console scripts the smoke test runs after installing the wheel; unset means every console script the wheel declares, [] means none (the variable takes a comma-separated list).
//   - smoke-command (PYRELEASE_SMOKE_COMMAND; array of strings; default --version): Arguments each tool is run with by the smoke test; it must exit 0 and print the version (the variable takes space-separated arguments).
//   - extras (PYRELEASE_EXTRAS; array of strings; default unset): Optional extras of the project installed with its wheel wherever its tools run: the smoke test, PyInstaller's freeze environment and zipapps, as for a command line behind an extra (httpx[cli]); each must be a Provides-Extra of the wheel (the variable takes a comma-separated list).
//
// config-keys:end
//
// Two settings come from the environment only, since they differ per CI job
// or are credentials:
//
// env-keys:begin
//   - PYRELEASE_PLATFORM (string; default this machine's, such as linux-x86_64): Platform tag of the archives and installers bdist and installer make, as {os}-{machine}; it names files, so the jobs of a build matrix that target another platform than their machine's name their files apart, and does not cross-compile.
//   - PYRELEASE_GIT_TOKEN (string; default GITHUB_TOKEN): Token bump authenticates its push to an HTTPS remote with; it is removed from everything pyrelease prints.
//
// env-keys:end
//
// The [tool.pyrelease.snapshot] table says where CI jobs publish builds and
// where fetch reads them back; the keys marked with a variable can be
// overridden by it.
//
// snapshot-keys:begin
//   - store (PYRELEASE_STORE; string; default {git dir}/pyrelease/snapshots): Where builds are published: a directory (a bare path relative to the project, or a file:// URL) or an S3 bucket as s3://bucket/prefix; the default folder sits in the repository's git directory (its project subfolder in a monorepo), out of the source tree and the sdist.
//   - keep (PYRELEASE_KEEP; integer; default 1): How many builds of a branch are kept per artifact family; older ones are deleted when a new one is published.
//   - endpoint (string; default unset): URL of an S3-compatible server such as MinIO (http or https); empty means AWS.
//   - region (string; default unset): S3 region; empty means the AWS SDK's own lookup (AWS_REGION, the profile).
//   - profile (string; default unset): Profile of the AWS shared config and credentials files; empty means the SDK's default (AWS_PROFILE or "default").
//   - path-style (boolean; default unset): Whether bucket requests use path-style addressing; unset means on when endpoint is set (as MinIO needs) and off for AWS.
//   - acl (string; default unset): Canned ACL of uploaded objects, "private" or "public-read"; empty means the bucket's default.
//   - cache-control (string; default unset): Cache-Control header of uploaded objects; empty means the store's default.
//   - checksum (string; default when-supported): When uploads carry checksums: "when-supported", or "when-required" for S3-compatible servers that reject the SDK's default CRC32 checksums.
//   - part-size (integer; default 16): Part size of multipart uploads in MiB, from 5 to 5120.
//   - concurrency (integer; default 4): How many transfers run in parallel, from 1 to 64.
//   - latest-copy-limit (integer; default 100): Size in MiB, from 0 to 5120, from which an S3 latest alias is a small pointer page to the versioned file instead of a server-side copy; 0 makes every alias a pointer.
//   - fetch-from (PYRELEASE_FETCH_FROM; string; default unset): URL of an HTML index page (http, https or file) that fetch reads instead of the store; empty means the store.
//   - allow-hosts (array of strings; default unset): Hosts that links of the fetch-from page may point to besides the page's own host.
//   - expect (array of strings and {pattern, python, platform} tables; default unset): The artifact set a release needs, as file-name globs that may contain {version}, {python} and {platform}, the last two expanded from the entry's python and platform lists; empty means whatever was published.
//
// snapshot-keys:end
//
// An s3:// store URL may carry settings in its query, which win over the
// table: endpoint, region, profile, path-style, acl, checksum, part-size,
// concurrency, and latest-copy-limit (MiB from 0 to 5120, default 100). A
// latest alias of a file smaller than latest-copy-limit is a server-side
// copy, which a plain URL serves; a larger file's alias is a pointer
// instead, since its copy would take nearly as long as its upload: a small
// HTML page that sends a browser on to the versioned file (and S3 static
// website hosting answers it with a 301 there), while a plain download of
// the alias (curl without -L, the S3 REST endpoint) gets the page, not the
// file. The download page links a pointer's row straight to the versioned
// file. In a folder an alias is a symlink where the system allows them.
//
// [tool.pyrelease.smoke] says how mage wheel installs and runs what it built:
//
// smoke-keys:begin
//   - offline (PYRELEASE_SMOKE_OFFLINE; boolean; default false): Whether the smoke test installs the wheel's dependencies only from find-links and dist/ (pip --no-index); otherwise they come from the index pip is configured with (PIP_INDEX_URL, pip.conf).
//   - find-links (PYRELEASE_SMOKE_FIND_LINKS; array of strings; default unset): Extra places pip finds dependencies in (pip --find-links): directories relative to the project, or URLs; the variable takes a comma-separated list.
//   - imports (array of strings; default unset): Modules the smoke test imports in the fresh venv, comparing each one's __version__ with the build's when it has one; empty means every top-level package of the wheel but tests and docs, and [] means none.
//   - commands (table of arrays of strings or false; default unset): Per tool, the arguments the smoke test runs it with instead of smoke-command (only exit status 0 is required then), or false to not run it.
//
// smoke-keys:end
//
// [tool.pyrelease.bdist] says what mage bdist freezes, with what, and into
// which archives:
//
// bdist-keys:begin
//   - freezer (string; default pyinstaller): "pyinstaller" makes one-file binaries that carry their interpreter; "zipapp" makes standard-library .pyz archives for pure-Python tools, which need a python3 where they run.
//   - pyinstaller (string; default 6.22.3): The PyInstaller pip installs from your index into the freeze environment: a version ("6.22.3") or a requirement on pyinstaller ("pyinstaller>=6.10,<7"); another value makes another environment.
//   - groups (table of arrays of strings; default unset): Archive name to the tools it holds; unset means one archive named after the project with every console script.
//   - installers (array of strings; default unset): Installer kinds mage installer builds: "run", "exe", "dmg"; unset means the platform's own.
//   - tools.NAME.entry-point (string; default unset): module:function, or a script relative to the project, the tool runs; unset means its console script.
//   - tools.NAME.excludes (array of strings; default unset): Modules PyInstaller leaves out of the tool (--exclude-module).
//   - tools.NAME.hooks-dir (string; default unset): Directory of PyInstaller hooks for the tool (--additional-hooks-dir), relative to the project.
//   - tools.NAME.icon (string; default unset): Icon of the Windows or macOS binary (--icon), relative to the project.
//   - tools.NAME.data (array of strings; default unset): Files or directories bundled with the tool as "source:destination" (--add-data), the source relative to the project, the destination inside the bundle (sys._MEIPASS).
//   - tools.NAME.args (array of strings; default unset): More PyInstaller arguments for the tool.
//
// bdist-keys:end
//
// [tool.pyrelease.release] says where mage release uploads, and the branch
// it may release from without a tag:
//
// release-keys:begin
//   - repository (PYRELEASE_REPOSITORY; string; default unset): Where release uploads: "pypi", "testpypi", an upload URL (such as a Gitea, devpi or pypiserver index), or a section of ~/.pypirc; empty means TWINE_REPOSITORY, else "pypi".
//   - index-url (PYRELEASE_INDEX_URL; string; default unset): Simple index (PEP 503) the uploaded files are read back from; empty means derived from the repository, which works for PyPI, TestPyPI, Gitea, devpi and pypiserver.
//   - verify-timeout (PYRELEASE_VERIFY_TIMEOUT; integer; default 600): Seconds release waits for the index to list every uploaded file with its sha256 before it fails.
//   - release-branch (PYRELEASE_RELEASE_BRANCH; string; default unset): Branch that releases without a tag: on it (HEAD, or the branch CI builds), release uploads the version file's version and, once the index serves it, creates and pushes that version's tag (tag-format) to remote; empty means release runs on tags only.
//
// release-keys:end
//
// [tool.pyrelease.forge] says on which forge mage forgerelease publishes the
// release page; what it leaves unset comes from the CI job's variables:
//
// forge-keys:begin
//   - kind (PYRELEASE_FORGE_KIND; string; default unset): The forge releases are published on: "github", "gitlab" or "gitea" (Gitea and Forgejo); empty means the CI system the job runs in (GITEA_ACTIONS or FORGEJO_ACTIONS, GITHUB_ACTIONS, GITLAB_CI).
//   - url (PYRELEASE_FORGE_URL; string; default unset): Base URL of the forge's REST API, such as {server}/api/v1 for Gitea or {server}/api/v4 for GitLab; empty means GITHUB_API_URL (GitHub, and Gitea Actions) or CI_API_V4_URL (GitLab).
//   - repository (PYRELEASE_FORGE_REPOSITORY; string; default unset): The repository as "owner/name", or for GitLab a project id or path; empty means GITHUB_REPOSITORY (GitHub, and Gitea Actions) or CI_PROJECT_ID (GitLab).
//   - draft (PYRELEASE_FORGE_DRAFT; boolean; default false): Whether the release is created as a draft, to be published by hand (GitHub and Gitea; GitLab has no drafts).
//
// forge-keys:end
package targets
