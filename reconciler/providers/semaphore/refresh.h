/*
 * refresh: reads the live state of a Semaphore organisation that a set of
 * specs is about (see refresh.c for what is read, and how few requests).
 */
#ifndef CF_SEM_REFRESH_H
#define CF_SEM_REFRESH_H

#include "reconciler/live.h"
#include "reconciler/providers/semaphore/client.h"

/* Adds to live what set's Semaphore manifests are about (other vendors'
 * manifests are left alone); a project the specs name that does not exist
 * goes to diags (CF_EINVALID). */
int cf_sem_refresh(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags, cf_error *err);

#endif
