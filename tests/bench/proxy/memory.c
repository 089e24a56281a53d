/* Memory of a process group, from /proc.
 *
 * websockify forks a process per connection, so its cost is the sum over
 * the whole group. VmRSS counts pages shared by copy-on-write once in every
 * process, so the RSS sum overstates a forking server; PSS divides each
 * shared page between the processes that map it, so PSS sums to what the
 * group really holds. For a single process (emnet-proxy) the two differ
 * only by the shared libraries' pages. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_proxy.h"

/* The value of "Key:   123 kB" in a /proc file, or -1. */
static long proc_field(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[256];
    size_t klen = strlen(key);
    long v = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            v = strtol(line + klen + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

/* The process group of pid, from /proc/PID/stat (after the command name,
 * which may hold spaces and parentheses: take the last ')'). */
static int pgrp_of(const char *pid)
{
    char path[300], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    char state;
    int ppid, pgrp;
    if (!p || sscanf(p + 1, " %c %d %d", &state, &ppid, &pgrp) != 3) return -1;
    if (state == 'Z') return -1;   /* a zombie holds no memory */
    return pgrp;
}

int emnet_bp_group_memory(int pgid, struct emnet_bp_memory *m)
{
    memset(m, 0, sizeof *m);
    DIR *d = opendir("/proc");
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        if (pgrp_of(e->d_name) != pgid) continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
        long rss = proc_field(path, "VmRSS");
        snprintf(path, sizeof path, "/proc/%s/smaps_rollup", e->d_name);
        long pss = proc_field(path, "Pss");
        if (rss < 0) continue;   /* exited meanwhile */
        m->rss_kb += rss;
        m->pss_kb += pss < 0 ? rss : pss;
        m->procs++;
    }
    closedir(d);
    return m->procs ? 0 : -1;
}

/* CPU time of every thread of every process of the group, from
 * /proc/PID/task/TID/schedstat (its first field: nanoseconds on a CPU). */
double emnet_bp_group_cpu(int pgid)
{
    double total = 0;
    DIR *d = opendir("/proc");
    if (!d) return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        if (pgrp_of(e->d_name) != pgid) continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/task", e->d_name);
        DIR *t = opendir(path);
        if (!t) continue;
        struct dirent *te;
        while ((te = readdir(t))) {
            if (te->d_name[0] < '1' || te->d_name[0] > '9') continue;
            char spath[600];
            snprintf(spath, sizeof spath, "/proc/%s/task/%s/schedstat", e->d_name, te->d_name);
            FILE *f = fopen(spath, "r");
            if (!f) continue;
            unsigned long long ns;
            if (fscanf(f, "%llu", &ns) == 1) total += (double)ns / 1e9;
            fclose(f);
        }
        closedir(t);
    }
    closedir(d);
    return total;
}
