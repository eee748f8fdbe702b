/*
** Which mounts may hang a stat: mountinfo's mount ids and types (mountinfoNextMount), the
** file system types and magics that wait for a server (fd_mounts.h), and the stat guard on
** files that answer (util/stat_guard.h; a server that does not: tests/live/test_hung_fs.c).
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "fd/fd_mounts.h"
#include "proc/mountinfo.h"
#include "testmain.h"
#include "util/stat_guard.h"

static void mountinfo_mounts(void **state)
{
    (void)state;
    const char *t = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                    "garbage line without fields\n"
                    "x7 22 0:5 / /bad rw - tmpfs tmpfs rw\n"
                    "99999999999 22 0:5 / /big rw - tmpfs tmpfs rw\n"
                    "41 22 0:52 / /mnt/my\\040s rw,nosuid shared:9 - fuse.sshfs me@host: rw\n"
                    "42 22 0:53 / /mnt/n rw - nfs4 srv:/export rw,vers=4.2\n"
                    "43 22 0:54 / /no/type rw -";
    size_t pos = 0;
    struct mountinfo_mount m;
    assert_int_equal(mountinfoNextMount(t, strlen(t), &pos, &m), 1);
    assert_int_equal(m.id, 22);
    assert_int_equal(m.typeLen, 4);
    assert_memory_equal(m.type, "ext4", 4);
    assert_int_equal(mountinfoNextMount(t, strlen(t), &pos, &m), 1);
    assert_int_equal(m.id, 41);
    assert_int_equal(m.typeLen, strlen("fuse.sshfs"));
    assert_true(fdMountTypeMayHang(m.type, m.typeLen));
    char point[16];
    assert_int_equal(mountinfoUnescape(m.point, m.pointLen, point, sizeof point), 1);
    assert_string_equal(point, "/mnt/my s");
    assert_int_equal(mountinfoUnescape(m.point, m.pointLen, point, 4), 0);
    assert_int_equal(mountinfoNextMount(t, strlen(t), &pos, &m), 1);
    assert_int_equal(m.id, 42);
    assert_true(fdMountTypeMayHang(m.type, m.typeLen));
    assert_int_equal(mountinfoNextMount(t, strlen(t), &pos, &m), 0);
    assert_int_equal(pos, strlen(t));
}

static void types_and_magics(void **state)
{
    (void)state;
    const char *hang[] = {"fuse", "fuseblk", "fuse.gvfsd-fuse", "nfs", "nfs4", "cifs", "smb3",
                          "9p",   "ceph",    "virtiofs"};
    const char *safe[] = {"ext4",  "xfs",     "tmpfs", "proc",       "overlay", "btrfs",
                          "fuse.", "fusectl", "nfsd",  "rpc_pipefs", ""};
    for (size_t i = 0; i < sizeof hang / sizeof *hang; i++)
        assert_true(fdMountTypeMayHang(hang[i], strlen(hang[i])));
    for (size_t i = 0; i < sizeof safe / sizeof *safe; i++)
        assert_false(fdMountTypeMayHang(safe[i], strlen(safe[i])));
    assert_true(fdMountMagicMayHang(0x65735546));  /* FUSE */
    assert_true(fdMountMagicMayHang(0x6969));      /* NFS */
    assert_false(fdMountMagicMayHang(0xEF53));     /* ext4 */
    assert_false(fdMountMagicMayHang(0x01021994)); /* tmpfs */
}

/* The guard's helper answers what stat(2) says, errors included, and the environment sets
 * its deadline within bounds. */
static void guard_answers(void **state)
{
    (void)state;
    struct stat_guard g;
    struct stat want, got;
    statGuardInit(&g, 2000);
    assert_int_equal(stat("/", &want), 0);
    assert_int_equal(statGuardStat(&g, 1, "/", &got), 0);
    assert_int_equal(got.st_ino, want.st_ino);
    assert_int_equal(got.st_size, want.st_size);
    assert_int_equal(statGuardStat(&g, 1, "/nonexistent/sqlsof", &got), -ENOENT);
    struct statfs fsWant, fsGot;
    assert_int_equal(statfs("/proc", &fsWant), 0);
    assert_int_equal(statGuardStatfs(&g, 1, "/proc", &fsGot), 0);
    assert_int_equal(fsGot.f_type, fsWant.f_type);
    assert_int_equal(statGuardStatfs(&g, 1, "/nonexistent/sqlsof", &fsGot), -ENOENT);
    assert_int_equal(statGuardStat(&g, 1, "", &got), -ENAMETOOLONG);
    char *longPath = malloc(5000);
    memset(longPath, 'a', 4999);
    longPath[0] = '/';
    longPath[4999] = '\0';
    assert_int_equal(statGuardStat(&g, 1, longPath, &got), -ENAMETOOLONG);
    free(longPath);
    assert_int_equal(g.nStuck, 0);
    statGuardFree(&g);
    /* A freed guard starts a new helper when asked again. */
    assert_int_equal(statGuardStat(&g, 1, "/", &got), 0);
    statGuardFree(&g);

    setenv("SQLSOF_STAT_TIMEOUT_MS", "250", 1);
    assert_int_equal(statGuardTimeoutFromEnv(), 250);
    setenv("SQLSOF_STAT_TIMEOUT_MS", "0", 1);
    assert_int_equal(statGuardTimeoutFromEnv(), STAT_GUARD_TIMEOUT_MS);
    setenv("SQLSOF_STAT_TIMEOUT_MS", "5s", 1);
    assert_int_equal(statGuardTimeoutFromEnv(), STAT_GUARD_TIMEOUT_MS);
    unsetenv("SQLSOF_STAT_TIMEOUT_MS");
    assert_int_equal(statGuardTimeoutFromEnv(), STAT_GUARD_TIMEOUT_MS);
}

TEST_MAIN("fd mounts", NULL, NULL,
          {cmocka_unit_test(mountinfo_mounts), cmocka_unit_test(types_and_magics),
           cmocka_unit_test(guard_answers)})
