// Package assets holds the web inbox's embedded templates, stylesheet and script.
//
// It exists so that //go:embed can see the files; httpui parses the templates once at
// start-up and serves the static files under content-hashed URLs (see Static).
package assets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
)

// FS holds templates/*.html and static/*. It is read-only and safe for concurrent use.
//
//go:embed templates static
var FS embed.FS

// StaticFile is one static file with its content-hashed name.
type StaticFile struct {
	Name   string // logical name, e.g. "app.css"
	Hashed string // e.g. "app.3f2a1b9c0d4e.css"
	Body   []byte
	ETag   string
}

// Static maps the logical names of the files under static/ to their content-hashed names.
// It is built once by NewStatic and read-only afterwards, so it is safe for concurrent use.
type Static struct {
	byName   map[string]*StaticFile
	byHashed map[string]*StaticFile
}

// NewStatic reads every file under static/ and computes its hashed name.
func NewStatic() (*Static, error) {
	st := &Static{byName: map[string]*StaticFile{}, byHashed: map[string]*StaticFile{}}
	err := fs.WalkDir(FS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := FS.ReadFile(p)
		if err != nil {
			return err
		}
		f := newStaticFile(strings.TrimPrefix(p, "static/"), body)
		st.byName[f.Name] = f
		st.byHashed[f.Hashed] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("assets: reading static files: %w", err)
	}
	return st, nil
}

func newStaticFile(name string, body []byte) *StaticFile {
	sum := sha256.Sum256(body)
	h := hex.EncodeToString(sum[:6])
	ext := path.Ext(name)
	return &StaticFile{
		Name:   name,
		Hashed: strings.TrimSuffix(name, ext) + "." + h + ext,
		Body:   body,
		ETag:   `"` + h + `"`,
	}
}

// URL returns the hashed URL path of a static file ("app.css" -> "/static/app.<hash>.css").
// An unknown name returns "/static/" + name so that a typo shows up as a 404, not a panic.
func (s *Static) URL(name string) string {
	if f, ok := s.byName[name]; ok {
		return "/static/" + f.Hashed
	}
	return "/static/" + name
}

// File returns the file with the given hashed name.
func (s *Static) File(hashed string) (*StaticFile, bool) {
	f, ok := s.byHashed[hashed]
	return f, ok
}

// ContentType returns the media type for a static file name.
func ContentType(name string) string {
	switch path.Ext(name) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/x-icon"
	case ".wav":
		return "audio/wav"
	}
	return "application/octet-stream"
}

// partials is the template file shared by every page: the layout, modem pill and message card.
const partials = "layout.html"

// PageNames lists the page templates (templates/*.html other than the shared partials),
// without the extension.
func PageNames() ([]string, error) {
	ents, err := fs.ReadDir(FS, "templates")
	if err != nil {
		return nil, fmt.Errorf("assets: listing templates: %w", err)
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		if n == partials || path.Ext(n) != ".html" {
			continue
		}
		names = append(names, strings.TrimSuffix(n, ".html"))
	}
	return names, nil
}

// Templates parses the shared partials (templates/layout.html) once, then each page template on
// its own clone, so every page can define "title" and "content" without clashing. The map is
// keyed by page name ("inbox", "login", ...); execute the "layout" template of an entry.
func Templates(funcs template.FuncMap) (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(FS, "templates/"+partials)
	if err != nil {
		return nil, fmt.Errorf("assets: parsing partials: %w", err)
	}
	names, err := PageNames()
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template, len(names))
	for _, n := range names {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("assets: cloning partials for %s: %w", n, err)
		}
		if _, err := t.ParseFS(FS, "templates/"+n+".html"); err != nil {
			return nil, fmt.Errorf("assets: parsing template %s: %w", n, err)
		}
		pages[n] = t
	}
	return pages, nil
}
