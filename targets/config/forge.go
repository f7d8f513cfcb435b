package config

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Forge is [tool.pyrelease.forge]: the forge whose release page mage
// forgerelease publishes the version on. PYRELEASE_FORGE_KIND,
// PYRELEASE_FORGE_URL, PYRELEASE_FORGE_REPOSITORY and PYRELEASE_FORGE_DRAFT
// override the keys; what is still unset comes from the CI job's own
// variables, so a job on the forge it releases to needs no table at all.
//
//	[tool.pyrelease.forge]
//	kind = "gitea"
//	url = "https://git.example.test/api/v1"
//	repository = "me/greet"
//	draft = true
type Forge struct {
	Kind       string // ForgeGitHub, ForgeGitLab or ForgeGitea
	URL        string // the REST API's base URL, such as {server}/api/v1 for Gitea or {server}/api/v4 for GitLab
	Repository string // "owner/name"; for GitLab a numeric project id or the project's path
	Draft      bool   // create the release as a draft
}

// Kinds of forge.
const (
	ForgeGitHub = "github"
	ForgeGitLab = "gitlab"
	ForgeGitea  = "gitea" // Gitea and Forgejo, which share the API
)

var forgeKinds = []string{ForgeGitHub, ForgeGitLab, ForgeGitea}

const forgeTable = toolTableName + ".forge"

// Names of the [tool.pyrelease.forge] keys.
const (
	forgeKeyKind       = "kind"
	forgeKeyURL        = "url"
	forgeKeyRepository = "repository"
	forgeKeyDraft      = "draft"
)

// ForgeKeys lists every [tool.pyrelease.forge] setting in the order the
// documentation shows them.
var ForgeKeys = []Key{
	{
		Name: forgeKeyKind, Env: "PYRELEASE_FORGE_KIND", Type: "string", Default: "",
		Doc: `The forge releases are published on: "github", "gitlab" or "gitea" (Gitea and Forgejo); empty means the CI system the job runs in (GITEA_ACTIONS or FORGEJO_ACTIONS, GITHUB_ACTIONS, GITLAB_CI).`,
	},
	{
		Name: forgeKeyURL, Env: "PYRELEASE_FORGE_URL", Type: "string", Default: "",
		Doc: `Base URL of the forge's REST API, such as {server}/api/v1 for Gitea or {server}/api/v4 for GitLab; empty means GITHUB_API_URL (GitHub, and Gitea Actions) or CI_API_V4_URL (GitLab).`,
	},
	{
		Name: forgeKeyRepository, Env: "PYRELEASE_FORGE_REPOSITORY", Type: "string", Default: "",
		Doc: `The repository as "owner/name", or for GitLab a project id or path; empty means GITHUB_REPOSITORY (GitHub, and Gitea Actions) or CI_PROJECT_ID (GitLab).`,
	},
	{
		Name: forgeKeyDraft, Env: "PYRELEASE_FORGE_DRAFT", Type: "boolean", Default: "false",
		Doc: `Whether the release is created as a draft, to be published by hand (GitHub and Gitea; GitLab has no drafts).`,
	},
}

// ownerName is "owner/name" as GitHub and Gitea spell repositories.
var ownerName = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

// gitlabProject is a numeric project id or a namespace path with the
// project's name last.
var gitlabProject = regexp.MustCompile(`^(?:[0-9]+|[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+)$`)

func forgeSetters() map[string]func(f *Forge, v any) error {
	return map[string]func(f *Forge, v any) error{
		forgeKeyKind: func(f *Forge, v any) error {
			return setChecked(forgeKeyKind, v, func(s string) *ValueError {
				if !slices.Contains(forgeKinds, s) {
					return &ValueError{Want: `"github", "gitlab" or "gitea"`, Got: quoteShort(s), Err: ErrInvalid}
				}
				return nil
			}, &f.Kind)
		},
		forgeKeyURL: func(f *Forge, v any) error {
			return setChecked(forgeKeyURL, v, checkForgeURL, &f.URL)
		},
		forgeKeyRepository: func(f *Forge, v any) error {
			return setChecked(forgeKeyRepository, v, func(s string) *ValueError {
				if s != "" && !gitlabProject.MatchString(s) {
					return &ValueError{Want: `"owner/name", or a GitLab project id or path`, Got: quoteShort(s), Err: ErrInvalid}
				}
				return nil
			}, &f.Repository)
		},
		forgeKeyDraft: func(f *Forge, v any) error {
			b, ok := v.(bool)
			if !ok {
				return &ValueError{Key: forgeKeyDraft, Want: "a boolean (true or false, unquoted)", Got: describe(v), Err: ErrType}
			}
			f.Draft = b
			return nil
		},
	}
}

func checkForgeURL(s string) *ValueError {
	if s == "" {
		return nil
	}
	if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return &ValueError{Want: "an http or https URL without credentials", Got: quoteShort(redactUserinfo(s)), Err: ErrInvalid}
	}
	return nil
}

// forgeTableDef is [tool.pyrelease.forge] for the decoder.
func forgeTableDef() subTable[Forge] {
	return subTable[Forge]{name: forgeTable, keys: ForgeKeys, set: forgeSetters(), bools: []string{forgeKeyDraft}}
}

// Forge reads [tool.pyrelease.forge] as written in the file, lets the
// PYRELEASE_FORGE_* variables of getenv override it, and fills what is
// still unset from the CI job's variables: the kind from the CI system, the
// URL from GITHUB_API_URL or CI_API_V4_URL, the repository from
// GITHUB_REPOSITORY or CI_PROJECT_ID. It fails when the kind, URL or
// repository stays unknown, naming the key to set. Only the target that
// publishes reads the table, so only it fails on a mistake in it.
func (c *Config) Forge(getenv func(string) string) (Forge, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var f Forge
	def := forgeTableDef()
	// Loading checked that a forge key holds a table.
	if err := def.decode(c.File, c.Tool["forge"], &f); err != nil {
		return Forge{}, err
	}
	if err := def.applyEnv(getenv, &f); err != nil {
		return Forge{}, err
	}
	return f.fromCI(c.File, getenv)
}

// fromCI fills the unset keys from the CI job's variables and checks the
// result is complete.
func (f Forge) fromCI(file string, getenv func(string) string) (Forge, error) {
	if f.Kind == "" {
		switch {
		case getenv("GITEA_ACTIONS") == "true" || getenv("FORGEJO_ACTIONS") == "true":
			f.Kind = ForgeGitea // Gitea Actions sets GITHUB_ACTIONS too: ask it first
		case getenv("GITHUB_ACTIONS") == "true":
			f.Kind = ForgeGitHub
		case getenv("GITLAB_CI") == "true":
			f.Kind = ForgeGitLab
		}
	}
	urlVar, repoVar := "GITHUB_API_URL", "GITHUB_REPOSITORY"
	if f.Kind == ForgeGitLab {
		urlVar, repoVar = "CI_API_V4_URL", "CI_PROJECT_ID"
	}
	if f.URL == "" {
		f.URL = strings.TrimSpace(getenv(urlVar))
		if e := checkForgeURL(f.URL); e != nil {
			e.Env = urlVar
			return Forge{}, e
		}
	}
	if f.Repository == "" {
		f.Repository = strings.TrimSpace(getenv(repoVar))
	}
	missing := func(key, hint string) error {
		return &ValueError{File: file, Table: forgeTable, Key: key, Want: hint, Got: "nothing", Err: ErrInvalid}
	}
	switch {
	case f.Kind == "":
		return Forge{}, missing(forgeKeyKind, `"github", "gitlab" or "gitea" (no CI variable tells the forge)`)
	case f.URL == "":
		return Forge{}, missing(forgeKeyURL, fmt.Sprintf("the forge's API base URL (%s is unset)", urlVar))
	case f.Repository == "":
		return Forge{}, missing(forgeKeyRepository, fmt.Sprintf("the repository (%s is unset)", repoVar))
	case f.Kind != ForgeGitLab && !ownerName.MatchString(f.Repository):
		return Forge{}, &ValueError{File: file, Table: forgeTable, Key: forgeKeyRepository, Want: `"owner/name"`, Got: quoteShort(f.Repository), Err: ErrInvalid}
	case f.Kind == ForgeGitLab && f.Draft:
		return Forge{}, &ValueError{File: file, Table: forgeTable, Key: forgeKeyDraft, Want: "false: GitLab releases have no drafts", Got: "true", Err: ErrInvalid}
	}
	f.URL = strings.TrimRight(f.URL, "/")
	return f, nil
}
