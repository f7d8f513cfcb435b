// Command uploadcmd uploads one distribution to a package index with
// package pypi alone, the path mage release takes for each file: read the
// file's digests and metadata, then stream it in the upload form. It is
// the bench's measure of an upload against twine's, without a magefile
// binary's start-up or the checks a release makes around the upload.
//
// Usage: uploadcmd UPLOAD_URL USER TOKEN FILE
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/pyrelease/pyrelease/targets/pypi"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: uploadcmd UPLOAD_URL USER TOKEN FILE")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := upload(ctx, os.Args[1], os.Args[2], os.Args[3], os.Args[4]); err != nil {
		fmt.Fprintln(os.Stderr, "uploadcmd:", err)
		os.Exit(1)
	}
}

func upload(ctx context.Context, uploadURL, user, token, path string) error {
	f, err := pypi.ReadFile(path)
	if err != nil {
		return err
	}
	repo := pypi.Repository{
		UploadURL: uploadURL,
		IndexURL:  strings.TrimSuffix(uploadURL, "/") + "/simple/",
		Username:  user,
		Password:  token,
	}
	res, err := (&pypi.Client{}).Upload(ctx, repo, f)
	if err != nil {
		return err
	}
	// A release counts a file the index already has as done; a timing of
	// an upload that sent nothing would be a lie.
	if res.Skipped {
		return fmt.Errorf("%s: the index already had the file with the same sha256, so nothing was sent: upload to an account without it", f.Name)
	}
	fmt.Printf("%s %d %s\n", f.Name, res.Status, f.SHA256)
	return nil
}
