package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// dejavu is where Debian's fonts-dejavu-core puts its fonts: the only
// fonts the browser is given, so that the screenshots do not depend on
// which other fonts a machine has.
const dejavu = "/usr/share/fonts/truetype/dejavu"

// Screenshot tolerance: a pixel differs when a channel moves by more
// than pixelThreshold (anti-aliasing moves a few units), and the
// screenshots match while at most maxDiffFraction of the pixels differ.
const (
	pixelThreshold  = 40
	maxDiffFraction = 0.002
)

// viewports are the widths the page is checked at: a laptop, and a
// phone (whose 390 CSS pixels are the viewport, as its meta tag asks).
var viewports = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{name: "desktop", width: 1280, height: 900},
	{name: "phone", width: 390, height: 844, mobile: true},
}

// TestIndexPageBrowser is the download page as a browser shows it:
// Debian's Chromium, headless, renders the page a published store serves;
// the test compares screenshots with golden images (rewritten by
// -update), checks layout facts that hold whatever the fonts, clicks a
// download link and a sha256, and has pip read the same page.
func TestIndexPageBrowser(t *testing.T) {
	tab := startChromium(t)
	s := publishedStore(t)
	for _, vp := range viewports {
		t.Run("layout/"+vp.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(tab, 20*time.Second)
			defer cancel()
			opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
			if vp.mobile {
				opts = append(opts, chromedp.EmulateMobile)
			}
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height, opts...), chromedp.Navigate(s.page)); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.fonts.ready`, chromedp.EvalAwaitPromise)); err != nil {
				t.Fatal(err)
			}
			l, err := chromedp.Run(ctx, chromedp.Evaluate[pageLayout](layoutJS))
			if err != nil {
				t.Fatal(err)
			}
			checkLayout(t, l)
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			compareScreenshot(t, filepath.Join("testdata", "index_page_"+vp.name+".golden.png"), shot)
		})
	}
	t.Run("sha256 selected by a click", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(tab, 20*time.Second)
		defer cancel()
		sel := chromedp.CSS("#latest-linux-x86_64 code.sha256")
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(1)), chromedp.Navigate(s.page), chromedp.Click(sel)); err != nil {
			t.Fatal(err)
		}
		want, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getSelection().toString()`))
		if err != nil {
			t.Fatal(err)
		}
		if got != want || len(got) != 64 {
			t.Errorf("one click on the sha256 selects %q, want the whole %q", got, want)
		}
	})
	t.Run("download by a click", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(tab, 20*time.Second)
		defer cancel()
		dir := t.TempDir()
		progress := chromedp.Events(ctx, browser.DownloadProgress)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(1)), chromedp.Navigate(s.page),
			chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
					Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true)})
				return err
			})); err != nil {
			t.Fatal(err)
		}
		row, err := chromedp.Run(ctx, chromedp.Evaluate[downloadRow](`(() => {
			const a = document.querySelector('#latest-linux-x86_64 a.download');
			return {href: a.href, name: a.textContent, sha256: a.closest('tr').querySelector('code.sha256').textContent};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS("#latest-linux-x86_64 a.download"), chromedp.NodeVisible))
		if err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.MouseClickNode(nodes[0])); err != nil {
			t.Fatal(err)
		}
		var done browser.EventDownloadProgress
		for ev, err := range progress {
			if err != nil {
				t.Fatalf("waiting for the download of %s: %v", row.Name, err)
			}
			if ev.State == browser.DownloadProgressStateCanceled {
				t.Fatalf("the browser canceled the download of %s", row.Name)
			}
			if ev.State == browser.DownloadProgressStateCompleted {
				done = ev
				break
			}
		}
		got, err := os.ReadFile(filepath.Join(dir, done.GUID))
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(row.Href)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := os.ReadFile(filepath.Join(s.root, filepath.FromSlash(u.Path)))
		if err != nil {
			t.Fatalf("the link %s names no file of the store: %v", row.Href, err)
		}
		sum := sha256.Sum256(got)
		if hex.EncodeToString(sum[:]) != row.SHA256 {
			t.Errorf("downloaded %s has sha256 %x, the page shows %s", row.Name, sum, row.SHA256)
		}
		if !bytes.Equal(got, stored) {
			t.Errorf("downloaded %s (%d bytes) differs from the stored %s (%d bytes)", row.Name, len(got), u.Path, len(stored))
		}
		if want := s.files["greet-1.1.0-linux-x86_64.tar.gz"]; hex.EncodeToString(sum[:]) != want.SHA256 {
			t.Errorf("the Linux download %s is not the newest Linux archive %s", row.Name, want.Name)
		}
	})
	t.Run("pip --find-links", func(t *testing.T) {
		requirePip(t)
		checkPip(t, s, "greet", s.wheels["1.1.0"])
	})
}

// downloadRow is the obvious download of a platform as the page shows it.
type downloadRow struct {
	Href   string `json:"href"`
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// box is an element's border box in page coordinates (CSS pixels).
type box struct {
	Left   float64 `json:"left"`
	Top    float64 `json:"top"`
	Right  float64 `json:"right"`
	Bottom float64 `json:"bottom"`
}

// pageLayout is what layoutJS measures on the rendered page.
type pageLayout struct {
	ViewportWidth float64 `json:"viewportWidth"`
	ScrollWidth   float64 `json:"scrollWidth"`
	Latest        *box    `json:"latest"`
	Versions      *box    `json:"versions"`
	Downloads     int     `json:"downloads"` // a.download anywhere on the page
	// RowFonts are the distinct computed font sizes of the file rows'
	// size cells: the latest release's rows read like every other row.
	RowFonts []string `json:"rowFonts"`
	Groups   []struct {
		ID        string `json:"id"`
		Downloads []box  `json:"downloads"`
	} `json:"groups"`
	Hashes []struct {
		Text       string `json:"text"`
		Box        box    `json:"box"`
		Cell       box    `json:"cell"`
		ClippedBy  string `json:"clippedBy"` // an ancestor that hides part of it
		Visible    bool   `json:"visible"`
		UserSelect string `json:"userSelect"`
	} `json:"hashes"`
}

// layoutJS measures the page; it returns a pageLayout.
const layoutJS = `(() => {
	const box = e => { const r = e.getBoundingClientRect(); return {left: r.left + scrollX, top: r.top + scrollY, right: r.right + scrollX, bottom: r.bottom + scrollY}; };
	const byID = id => { const e = document.getElementById(id); return e ? box(e) : null; };
	const clippedBy = e => {
		const b = e.getBoundingClientRect();
		for (let a = e.parentElement; a; a = a.parentElement) {
			const s = getComputedStyle(a);
			if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
			const r = a.getBoundingClientRect();
			if (b.left < r.left - 0.5 || b.right > r.right + 0.5 || b.top < r.top - 0.5 || b.bottom > r.bottom + 0.5) return a.tagName + (a.id ? '#' + a.id : '') + (a.className ? '.' + a.className : '');
		}
		return '';
	};
	const html = document.documentElement;
	return {
		viewportWidth: html.clientWidth,
		scrollWidth: html.scrollWidth,
		latest: byID('latest'),
		versions: byID('versions'),
		downloads: document.querySelectorAll('a.download').length,
		rowFonts: [...new Set([...document.querySelectorAll('tr.file td.size')].map(c => getComputedStyle(c).fontSize))],
		groups: [...document.querySelectorAll('#latest tbody.platform')].map(g => ({id: g.id, downloads: [...g.querySelectorAll('a.download')].map(box)})),
		hashes: [...document.querySelectorAll('code.sha256')].map(c => {
			const s = getComputedStyle(c);
			return {text: c.textContent, box: box(c), cell: box(c.closest('td')), clippedBy: clippedBy(c),
				visible: s.visibility === 'visible' && s.display !== 'none' && parseFloat(s.opacity) > 0 && c.getClientRects().length > 0,
				userSelect: s.userSelect};
		}),
	};
})()`

// checkLayout checks what a reader of the page relies on, in terms that
// do not depend on fonts.
func checkLayout(t *testing.T, l pageLayout) {
	t.Helper()
	if l.ScrollWidth > l.ViewportWidth {
		t.Errorf("the page is %vpx wide in a %vpx viewport: it scrolls sideways", l.ScrollWidth, l.ViewportWidth)
	}
	switch {
	case l.Latest == nil || l.Versions == nil:
		t.Errorf("no #latest or no #versions section")
	case l.Latest.Bottom > l.Versions.Top:
		t.Errorf("the latest release (down to y=%v) is not above all versions (from y=%v)", l.Latest.Bottom, l.Versions.Top)
	}
	if len(l.Groups) == 0 {
		t.Errorf("no platform in the latest release")
	}
	for _, g := range l.Groups {
		if len(g.Downloads) != 1 {
			t.Errorf("%s has %d download buttons, want 1", g.ID, len(g.Downloads))
			continue
		}
		if b := g.Downloads[0]; b.Right <= b.Left || b.Bottom <= b.Top || b.Left < 0 || b.Right > l.ViewportWidth {
			t.Errorf("the download button of %s is at %+v, outside a %vpx viewport or empty", g.ID, b, l.ViewportWidth)
		}
	}
	if l.Downloads != len(l.Groups) {
		t.Errorf("%d download buttons for %d platforms: one per platform, none elsewhere", l.Downloads, len(l.Groups))
	}
	if len(l.RowFonts) != 1 {
		t.Errorf("file rows are set in font sizes %q: want one size for every table", l.RowFonts)
	}
	if len(l.Hashes) == 0 {
		t.Errorf("no code.sha256 on the page")
	}
	for _, h := range l.Hashes {
		b, c := h.Box, h.Cell
		switch {
		case len(h.Text) != 64:
			t.Errorf("code.sha256 holds %q", h.Text)
		case !h.Visible:
			t.Errorf("the sha256 %s is hidden", h.Text)
		case h.ClippedBy != "":
			t.Errorf("the sha256 %s is cut off by %s", h.Text, h.ClippedBy)
		case b.Left < c.Left-0.5 || b.Right > c.Right+0.5 || b.Left < 0 || b.Right > l.ViewportWidth:
			t.Errorf("the sha256 %s spans x=%v..%v, beyond its cell (%v..%v) or the %vpx viewport", h.Text, b.Left, b.Right, c.Left, c.Right, l.ViewportWidth)
		case h.UserSelect != "all":
			t.Errorf("the sha256 %s has user-select %q: one click should select it whole", h.Text, h.UserSelect)
		}
	}
}

// compareScreenshot compares a PNG screenshot with the golden file, or
// writes the golden file under -update. On a difference it writes the
// screenshot and an image of the differing pixels (red on a faded copy
// of the golden one) to the test's artifact directory.
func compareScreenshot(t *testing.T, golden string, shot []byte) {
	t.Helper()
	if *updateGolden {
		if err := os.WriteFile(golden, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wantPNG, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestIndexPageBrowser -update)", err)
	}
	got, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	want, err := png.Decode(bytes.NewReader(wantPNG))
	if err != nil {
		t.Fatalf("%s: %v", golden, err)
	}
	n, diff := diffImages(got, want)
	total := want.Bounds().Dx() * want.Bounds().Dy()
	sameSize := got.Bounds().Size() == want.Bounds().Size()
	if sameSize && float64(n) <= maxDiffFraction*float64(total) {
		return
	}
	out := t.ArtifactDir()
	base := strings.TrimSuffix(filepath.Base(golden), ".golden.png")
	gotPath, diffPath := filepath.Join(out, base+".got.png"), filepath.Join(out, base+".diff.png")
	writePNG(t, gotPath, got)
	writePNG(t, diffPath, diff)
	what := fmt.Sprintf("%d of %d pixels differ", n, total)
	if !sameSize {
		what = fmt.Sprintf("the page is %v, the golden one %v", got.Bounds().Size(), want.Bounds().Size())
	}
	t.Errorf("the rendered page differs from %s: %s; see %s and %s (kept with go test -artifacts; after review, -update)", golden, what, gotPath, diffPath)
}

// diffImages counts the pixels that differ by more than pixelThreshold in
// a channel, over the area both images cover, and draws them.
func diffImages(got, want image.Image) (int, *image.RGBA) {
	gb, wb := got.Bounds(), want.Bounds()
	area := image.Rect(0, 0, max(gb.Dx(), wb.Dx()), max(gb.Dy(), wb.Dy()))
	diff := image.NewRGBA(area)
	n := 0
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			gp, wp := image.Pt(gb.Min.X+x, gb.Min.Y+y), image.Pt(wb.Min.X+x, wb.Min.Y+y)
			if !gp.In(gb) || !wp.In(wb) {
				n++
				diff.Set(x, y, color.RGBA{R: 255, A: 255})
				continue
			}
			g, w := color.RGBAModel.Convert(got.At(gp.X, gp.Y)).(color.RGBA), color.RGBAModel.Convert(want.At(wp.X, wp.Y)).(color.RGBA)
			if absDiff(g.R, w.R) > pixelThreshold || absDiff(g.G, w.G) > pixelThreshold || absDiff(g.B, w.B) > pixelThreshold || absDiff(g.A, w.A) > pixelThreshold {
				n++
				diff.Set(x, y, color.RGBA{R: 255, A: 255})
				continue
			}
			grey := uint8((uint16(w.R) + uint16(w.G) + uint16(w.B)) / 3)
			faded := 255 - (255-grey)/4
			diff.Set(x, y, color.RGBA{R: faded, G: faded, B: faded, A: 255})
		}
	}
	return n, diff
}

func absDiff(a, b uint8) uint8 {
	if a > b {
		return a - b
	}
	return b - a
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dejavuCore are the files of fonts-dejavu-core: the only fonts the
// browser sees. A fuller DejaVu folder (fonts-dejavu-extra) also holds
// DejaVu Math TeX Gyre, which fontconfig otherwise picks for a family it
// does not know.
var dejavuCore = []string{"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"}

// fontsConf is a fontconfig configuration that shows the fonts in
// fontDir only, maps the generic families and the names Chromium asks
// for by default to them, and falls back to DejaVu Sans for the rest.
func fontsConf(fontDir, cacheDir string) []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"urn:fontconfig:fonts.dtd\">\n<fontconfig>\n")
	fmt.Fprintf(&b, "<dir>%s</dir>\n<cachedir>%s</cachedir>\n", fontDir, cacheDir)
	for _, alias := range []struct {
		font     string
		families []string
	}{
		{font: "DejaVu Sans", families: []string{"system-ui", "sans-serif", "sans", "Arial", "Helvetica"}},
		{font: "DejaVu Serif", families: []string{"serif", "Times New Roman", "Times"}},
		{font: "DejaVu Sans Mono", families: []string{"monospace", "Monospace", "Courier New"}},
	} {
		for _, f := range alias.families {
			fmt.Fprintf(&b, "<alias binding=\"strong\"><family>%s</family><prefer><family>%s</family></prefer></alias>\n", f, alias.font)
		}
	}
	b.WriteString("<match target=\"pattern\"><edit name=\"family\" mode=\"append_last\"><string>DejaVu Sans</string></edit></match>\n")
	b.WriteString("</fontconfig>\n")
	return b.Bytes()
}

// startChromium starts Debian's Chromium (PYRELEASE_CHROMIUM, else
// chromium on PATH) headless, with a fresh profile and the DejaVu fonts
// only, and returns the context of its one tab. The browser is killed
// when the test ends; its output is logged if the test failed.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	bin := os.Getenv("PYRELEASE_CHROMIUM")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("chromium"); err != nil {
			testenv.Missing(t, "chromium (Debian's package) not on PATH and PYRELEASE_CHROMIUM unset: %v", err)
		}
	}
	home := t.TempDir()
	fonts := filepath.Join(home, "fonts")
	if err := os.Mkdir(fonts, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range dejavuCore {
		if _, err := os.Stat(filepath.Join(dejavu, f)); err != nil {
			testenv.Missing(t, "fonts-dejavu-core: %v", err)
		}
		if err := os.Symlink(filepath.Join(dejavu, f), filepath.Join(fonts, f)); err != nil {
			t.Fatal(err)
		}
	}
	conf := filepath.Join(home, "fonts.conf")
	if err := os.WriteFile(conf, fontsConf(fonts, filepath.Join(home, "fontconfig")), 0o644); err != nil {
		t.Fatal(err)
	}
	out := &lockedBuffer{}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(filepath.Join(home, "profile")),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("force-device-scale-factor", "1"),
		chromedp.Flag("font-render-hinting", "none"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("lang", "en-US"),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Env("FONTCONFIG_FILE="+conf, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
			"XDG_CACHE_HOME="+filepath.Join(home, "cache")),
		chromedp.CombinedOutput(out),
	}
	if os.Geteuid() == 0 {
		// Chromium refuses to sandbox its renderers as root.
		opts = append(opts, chromedp.NoSandbox)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		if t.Failed() {
			t.Logf("chromium output:\n%s", out.tail(40))
		}
	})
	// The first action starts the browser. Its context must not have a
	// deadline, which would stop the browser with it: a timer cancels a
	// start that hangs instead.
	hung := time.AfterFunc(30*time.Second, cancelTab)
	defer hung.Stop()
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("starting %s: %v\n%s", bin, err, out.tail(40))
	}
	return tab
}

// lockedBuffer collects the browser's output from its own goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// tail returns the last n lines written.
func (b *lockedBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := strings.SplitAfter(b.buf.String(), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "")
}
