/* file.c — whole-file reads, atomic writes (temp + fsync + rename), mkdir -p,
 * paths checked and opened without following symbolic links, and the content
 * hash printed in generated headers. */
#include "abc/base.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

AbcStatus file_read_all(const char *path, size_t max_bytes, char **out, size_t *out_len,
                        char *err, size_t errlen)
{
    AbcStatus st = ABC_ERR_ENV;
    char *data = NULL;
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return ABC_ERR_ENV;
    }
    size_t cap = 4096, len = 0;
    data = malloc(cap);
    if (!data)
        goto out;
    for (;;) {
        if (len + 1 >= cap) {
            cap *= 2;
            char *p = realloc(data, cap);
            if (!p)
                goto out;
            data = p;
        }
        size_t n = fread(data + len, 1, cap - len - 1, f);
        len += n;
        if (len > max_bytes) {
            snprintf(err, errlen, "'%s' is larger than the %zu-byte limit", path, max_bytes);
            st = ABC_ERR_SPEC;
            goto out;
        }
        if (n == 0) {
            if (ferror(f)) {
                snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
                goto out;
            }
            break;
        }
    }
    data[len] = '\0';
    *out = data;
    *out_len = len;
    data = NULL;
    st = ABC_OK;
out:
    free(data);
    if (f != stdin)
        fclose(f);
    return st;
}

AbcStatus file_write_whole(const char *path, const char *data, size_t len, bool sync,
                           const char *name, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write '%s': %s", name, strerror(errno));
        return ABC_ERR_ENV;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, errlen, "cannot write '%s': %s", name,
                     n < 0 ? strerror(errno) : "short write");
            close(fd);
            unlink(path);
            return ABC_ERR_ENV;
        }
        done += (size_t)n;
    }
    if ((sync && fsync(fd) != 0) || close(fd) != 0) {
        snprintf(err, errlen, "cannot write '%s': %s", name, strerror(errno));
        unlink(path);
        return ABC_ERR_ENV;
    }
    return ABC_OK;
}

AbcStatus file_write_atomic(const char *path, const char *data, size_t len, char *err,
                            size_t errlen)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (!tmp) {
        snprintf(err, errlen, "out of memory");
        return ABC_ERR_ENV;
    }
    snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    AbcStatus st = file_write_whole(tmp, data, len, true, path, err, errlen);
    if (st == ABC_OK && rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot replace '%s': %s", path, strerror(errno));
        unlink(tmp);
        st = ABC_ERR_ENV;
    }
    free(tmp);
    return st;
}

AbcStatus file_mkdirs(const char *path, char *err, size_t errlen)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        snprintf(err, errlen, "bad directory path '%s'", path);
        return ABC_ERR_ENV;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "cannot create directory '%s': %s", buf, strerror(errno));
                return ABC_ERR_ENV;
            }
            buf[i] = c;
        }
    }
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "'%s' is not a directory", path);
        return ABC_ERR_ENV;
    }
    return ABC_OK;
}

AbcStatus file_check_nofollow(const char *root, const char *rel, char *err, size_t errlen)
{
    char path[4096];
    size_t rl = strlen(root);
    if (rl + 1 + strlen(rel) >= sizeof path) {
        snprintf(err, errlen, "path '%s/%s' is too long", root, rel);
        return ABC_ERR_ENV;
    }
    memcpy(path, root, rl);
    path[rl] = '/';
    for (size_t i = 0;; i++) {
        char c = rel[i];
        if (c == '/' || c == '\0') {
            path[rl + 1 + i] = '\0';
            struct stat sb;
            if (i > 0 && lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
                snprintf(err, errlen, "'%s' is a symbolic link; abc does not write or delete "
                                      "through one",
                         path);
                return ABC_ERR_SPEC;
            }
            if (c == '\0')
                return ABC_OK;
        }
        path[rl + 1 + i] = c;
    }
}

int file_open_dir_nofollow(const char *root, const char *rel)
{
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (const char *p = rel; fd >= 0 && *p;) {
        size_t n = strcspn(p, "/");
        char name[256];
        if (n >= sizeof name) {
            close(fd);
            errno = ENAMETOOLONG;
            return -1;
        }
        if (n > 0) {
            memcpy(name, p, n);
            name[n] = '\0';
            int next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            int saved = errno;
            close(fd);
            errno = saved;
            fd = next;
        }
        p += n + (p[n] == '/');
    }
    return fd;
}

void hash_hex64(const char *data, size_t len, char out[17])
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)data[i];
        h *= 1099511628211ULL;
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}
