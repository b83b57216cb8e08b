/*
 * token_file: where one-time secrets that a vendor shows once (registration
 * and agent tokens) are kept, so that none is ever lost.
 *
 * Before the request that creates such a token is sent, a pending marker
 * NAME.token.pending is written beside where the token will go: a run that
 * is killed after the create but before the token reached its file leaves
 * the marker, and the next plan sees a live resource with a marker and no
 * token, says so, and plans its replacement. The token itself is written
 * atomically (a temporary file renamed over), 0600, in a directory that is
 * 0700 when ciform creates it; then the marker goes. Nothing here prints a
 * token.
 */
#ifndef CF_TOKEN_FILE_H
#define CF_TOKEN_FILE_H

#include <stdbool.h>
#include "reconciler/error.h"

/* dir, or $XDG_STATE_HOME/ciform/registration-tokens, else
 * $HOME/.local/state/ciform/registration-tokens; caller frees. */
char *cf_token_dir(const char *dir);

/* Before any change is made: refuses dir when it lies in a git work tree
 * that would not ignore the tokens, creates it (0700) when missing, and
 * checks that a file can be written there. */
int cf_token_dir_check(const char *dir, cf_error *err);

/* Writes the pending marker for name. */
int cf_token_mark_pending(const char *dir, const char *name, cf_error *err);

/* Writes name's token and removes its marker; *path gets the file's path
 * (caller frees) even on failure, for the message. */
int cf_token_write(char **path, const char *dir, const char *name, const char *token, cf_error *err);

/* True when an earlier run marked name pending and no token file exists. */
bool cf_token_lost(const char *dir, const char *name);

/* Removes name's marker (the resource was deleted or recreated elsewhere). */
void cf_token_forget(const char *dir, const char *name);

#endif
