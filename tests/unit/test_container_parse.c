/*
** The container readers on recorded shapes: /proc/PID/cgroup lines as each runtime and cgroup
** driver writes them, the runtimes' state files (tests/unit/data/containers-root, a host's
** state directories in miniature), the JSON scanner under them, NSpid, and nsfs mounts in
** mountinfo.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "container/container.h"
#include "container/container_cgroup.h"
#include "container/container_state.h"
#include "util/json_scan.h"
#include "proc/mountinfo.h"
#include "proc/proc_parse.h"
#include "testmain.h"

#define ID_A "a1f0c3e2b4d5968778695a4b3c2d1e0fa1f0c3e2b4d5968778695a4b3c2d1e0f"
#define ID_B "b2e1d4f3c5e6a7b8c9d0e1f2a3b4c5d6b2e1d4f3c5e6a7b8c9d0e1f2a3b4c5d6"
#define ID_C "c3d2e5f4a6b7c8d9e0f1a2b3c4d5e6f7c3d2e5f4a6b7c8d9e0f1a2b3c4d5e6f7"
#define ID_D "d4e3f6a5b7c8d9e0f1a2b3c4d5e6f7a8d4e3f6a5b7c8d9e0f1a2b3c4d5e6f7a8"
#define ID_E "e5f4a7b6c8d9e0f1a2b3c4d5e6f7a8b9e5f4a7b6c8d9e0f1a2b3c4d5e6f7a8b9"
#define ID_P "56307a8a72d1185170e4a529b6f4d5d30fb6d2b5d2a27453f46a792705687836"
#define POD  "0f7c2f4a-3b1d-4c5e-9f00-123456789abc"
#define POD_ "0f7c2f4a_3b1d_4c5e_9f00_123456789abc"
#define ROOT "tests/unit/data/containers-root"

/* Parses TEXT and checks the runtime, id and pod uid found ("" for none). */
static void expectCgroup(const char *text, enum container_runtime rt, const char *id,
                         const char *pod)
{
    struct container_ref ref;
    int rc = containerParseCgroup(text, strlen(text), &ref);
    if (rc != (rt != RUNTIME_NONE) || ref.runtime != rt || strcmp(ref.id, id) != 0 ||
        strcmp(ref.podUid, pod) != 0)
        fail_msg("%s: got rc %d runtime %d id '%s' pod '%s'", text, rc, ref.runtime, ref.id,
                 ref.podUid);
}

static void cgroup_docker(void **state)
{
    (void)state;
    /* systemd driver, cgroup v2 */
    expectCgroup("0::/system.slice/docker-" ID_A ".scope\n", RUNTIME_DOCKER, ID_A, "");
    /* cgroupfs driver on a hybrid host: only the v1 hierarchies name the container */
    expectCgroup("12:pids:/docker/" ID_A "\n11:memory:/docker/" ID_A
                 "\n1:name=systemd:/docker/" ID_A "\n0::/system.slice/containerd.service\n",
                 RUNTIME_DOCKER, ID_A, "");
    /* cgroupfs driver, cgroup v2 */
    expectCgroup("0::/docker/" ID_A "\n", RUNTIME_DOCKER, ID_A, "");
    /* docker in docker: the outer container is the one on this host */
    expectCgroup("0::/docker/" ID_A "/docker/" ID_B "\n", RUNTIME_DOCKER, ID_A, "");
    /* rootless, systemd driver */
    expectCgroup("0::/user.slice/user-1000.slice/user@1000.service/user.slice/docker-" ID_A
                 ".scope\n",
                 RUNTIME_DOCKER, ID_A, "");
    /* dockerd itself and its shim are on the host */
    expectCgroup("0::/system.slice/docker.service\n", RUNTIME_NONE, "", "");
    /* Kubernetes with cri-dockerd, systemd driver */
    expectCgroup("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_
                 ".slice/docker-" ID_B ".scope\n",
                 RUNTIME_DOCKER, ID_B, POD);
}

static void cgroup_containerd_kubernetes(void **state)
{
    (void)state;
    /* systemd driver, burstable and guaranteed (no QoS slice) pods */
    expectCgroup("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_
                 ".slice/cri-containerd-" ID_C ".scope\n",
                 RUNTIME_CONTAINERD, ID_C, POD);
    expectCgroup("0::/kubepods.slice/kubepods-pod" POD_ ".slice/cri-containerd-" ID_C ".scope\n",
                 RUNTIME_CONTAINERD, ID_C, POD);
    /* cgroupfs driver, cgroup v1: a bare id, whose runtime only the state files tell */
    expectCgroup("11:memory:/kubepods/burstable/pod" POD "/" ID_C
                 "\n10:cpu,cpuacct:/kubepods/burstable/pod" POD "/" ID_C "\n0::/\n",
                 RUNTIME_KUBE, ID_C, POD);
    expectCgroup("0::/kubepods/pod" POD "/" ID_C "\n", RUNTIME_KUBE, ID_C, POD);
    /* a bare id outside kubepods is not taken for a container */
    expectCgroup("0::/system.slice/" ID_C "\n", RUNTIME_NONE, "", "");
    /* kubelet and containerd themselves */
    expectCgroup("0::/system.slice/containerd.service\n", RUNTIME_NONE, "", "");
    expectCgroup("0::/kubepods.slice\n", RUNTIME_NONE, "", "");
}

static void cgroup_crio(void **state)
{
    (void)state;
    expectCgroup("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_
                 ".slice/crio-" ID_D ".scope\n",
                 RUNTIME_CRIO, ID_D, POD);
    /* conmon, CRI-O's monitor, sits beside the container, not in it */
    expectCgroup("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_
                 ".slice/crio-conmon-" ID_D ".scope\n",
                 RUNTIME_NONE, "", "");
    /* cgroupfs driver */
    expectCgroup("7:memory:/kubepods/besteffort/pod" POD "/crio-" ID_D "\n0::/\n", RUNTIME_CRIO,
                 ID_D, POD);
}

static void cgroup_podman(void **state)
{
    (void)state;
    /* recorded on this kind of host: podman 4.3, runc, cgroupfs driver, hybrid v1 */
    expectCgroup("9:name=systemd:/libpod_parent/libpod-" ID_P "\n8:pids:/libpod_parent/libpod-" ID_P
                 "\n4:memory:/libpod_parent/libpod-" ID_P "\n0::/libpod_parent/libpod-" ID_P "\n",
                 RUNTIME_PODMAN, ID_P, "");
    expectCgroup("8:pids:/libpod_parent/conmon\n0::/libpod_parent/conmon\n", RUNTIME_NONE, "", "");
    /* systemd driver, root and rootless; the container's own sub-cgroup */
    expectCgroup("0::/machine.slice/libpod-" ID_P ".scope\n", RUNTIME_PODMAN, ID_P, "");
    expectCgroup("0::/machine.slice/libpod-" ID_P ".scope/container\n", RUNTIME_PODMAN, ID_P, "");
    expectCgroup("0::/machine.slice/libpod-conmon-" ID_P ".scope\n", RUNTIME_NONE, "", "");
    expectCgroup("0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID_P
                 ".scope\n",
                 RUNTIME_PODMAN, ID_P, "");
    /* a pod's slice is not an nspawn machine */
    expectCgroup("0::/machine.slice/machine-libpod_pod_" ID_A ".slice/libpod-" ID_P ".scope\n",
                 RUNTIME_PODMAN, ID_P, "");
}

static void cgroup_lxc_and_nspawn(void **state)
{
    (void)state;
    /* LXC 4 and later (LXD, Incus), v2 */
    expectCgroup("0::/lxc.payload.web1\n", RUNTIME_LXC, "web1", "");
    expectCgroup("0::/lxc.payload.web1/system.slice/nginx.service\n", RUNTIME_LXC, "web1", "");
    expectCgroup("0::/lxc.monitor.web1\n", RUNTIME_NONE, "", "");
    /* LXC 3 and LXC 1-2, v1 */
    expectCgroup("4:memory:/lxc.payload/web1\n0::/\n", RUNTIME_LXC, "web1", "");
    expectCgroup("4:memory:/lxc/web1\n1:name=systemd:/lxc/web1\n", RUNTIME_LXC, "web1", "");
    /* systemd-nspawn: the machine name is unit-escaped in the scope name */
    expectCgroup("0::/machine.slice/machine-debian\\x2dbookworm.scope/payload/system.slice\n",
                 RUNTIME_NSPAWN, "debian-bookworm", "");
    expectCgroup("0::/machine.slice/machine-test.scope\n", RUNTIME_NSPAWN, "test", "");
    /* libvirt's guests are registered with machined too, and are not nspawn's */
    expectCgroup("0::/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope/libvirt/emulator\n",
                 RUNTIME_NONE, "", "");
    expectCgroup("0::/machine.slice/machine-lxc\\x2d4242\\x2dguest.scope\n", RUNTIME_NONE, "", "");
    /* nspawn's own process, the supervisor, is on the host */
    expectCgroup("0::/machine.slice/machine-test.scope/supervisor\n", RUNTIME_NONE, "", "");
}

static void cgroup_host_and_garbage(void **state)
{
    (void)state;
    expectCgroup("0::/user.slice/user-0.slice/session-1.scope\n", RUNTIME_NONE, "", "");
    expectCgroup("0::/init.scope\n", RUNTIME_NONE, "", "");
    /* this sandbox's own v1 memory cgroup: a 32-digit id is nobody's container id */
    expectCgroup("4:memory:/process_api/b29c86e25a7cb4ec0d0f7b9eedae9d9b\n0::/\n", RUNTIME_NONE, "",
                 "");
    /* 63 digits, upper case, an empty scope name: no */
    expectCgroup("0::/docker/" ID_A "0\n", RUNTIME_NONE, "", "");
    expectCgroup("0::/system.slice/"
                 "docker-A1F0C3E2B4D5968778695A4B3C2D1E0FA1F0C3E2B4D5968778695A4B3C2D1E0F.scope\n",
                 RUNTIME_NONE, "", "");
    expectCgroup("0::/machine.slice/machine-.scope\n", RUNTIME_NONE, "", "");
    /* a pod uid that is not 36 characters is no pod */
    expectCgroup("0::/kubepods.slice/kubepods-pod1234.slice/cri-containerd-" ID_C ".scope\n",
                 RUNTIME_CONTAINERD, ID_C, "");
    /* found by fuzzing: a uid with a bad character half-way left half a uid behind */
    expectCgroup("0::/kubepods.slice/kubepods-burstable-pod0f7c2f4a_3b1l_4c5e_9f00_123456789abc"
                 ".slice/cri-containerd-" ID_C ".scope\n",
                 RUNTIME_CONTAINERD, ID_C, "");
    struct container_ref ref;
    assert_int_equal(containerParseCgroup("", 0, &ref), -EINVAL);
    assert_int_equal(containerParseCgroup("garbage\n", 8, &ref), -EINVAL);
    /* not NUL-terminated: the id at the very end of the buffer */
    char buf[128];
    size_t n = (size_t)snprintf(buf, sizeof buf, "0::/docker/%s", ID_A);
    assert_int_equal(containerParseCgroup(buf, n, &ref), 1);
    assert_int_equal(containerParseCgroup(buf, n - 1, &ref), 0);
}

static void runtime_names(void **state)
{
    (void)state;
    assert_string_equal(containerRuntimeName(RUNTIME_DOCKER), "docker");
    assert_string_equal(containerRuntimeName(RUNTIME_CONTAINERD), "containerd");
    assert_string_equal(containerRuntimeName(RUNTIME_CRIO), "cri-o");
    assert_string_equal(containerRuntimeName(RUNTIME_PODMAN), "podman");
    assert_string_equal(containerRuntimeName(RUNTIME_LXC), "lxc");
    assert_string_equal(containerRuntimeName(RUNTIME_NSPAWN), "systemd-nspawn");
    assert_null(containerRuntimeName(RUNTIME_NONE));
    assert_null(containerRuntimeName(RUNTIME_KUBE));
}

static void json_scanner(void **state)
{
    (void)state;
    const char *t =
        "{ \"a\" : [1, {\"b\": \"x]}\\\"\"}, true], \"k\\\"\": 1,\n"
        "  \"s\": \"caf\\u00e9 \\ud83d\\ude00 \\n\", \"o\": {\"p\": {\"q\": \"deep\"}} }";
    const char *end = t + strlen(t);
    char out[64];
    assert_int_equal(jsonString(jsonMember(t, end, "s"), end, out, sizeof out), 12);
    assert_string_equal(out, "caf\xc3\xa9 \xf0\x9f\x98\x80 \n");
    static const char *const path[] = {"o", "p", "q", NULL};
    assert_true(jsonStringIs(jsonPath(t, end, path), end, "deep"));
    const char *a = jsonMember(t, end, "a");
    const char *e1 = jsonFirst(a, end), *e2 = jsonNext(e1, end), *e3 = jsonNext(e2, end);
    assert_int_equal(*e1, '1');
    assert_true(jsonStringIs(jsonMember(e2, end, "b"), end, "x]}\""));
    assert_memory_equal(e3, "true", 4);
    assert_null(jsonNext(e3, end));
    assert_null(jsonMember(t, end, "k\"")); /* escaped names never match */
    assert_null(jsonMember(t, end, "missing"));
    /* too small, truncated, bad escapes, not an object */
    assert_int_equal(jsonString(jsonMember(t, end, "s"), end, out, 4), -1);
    const char *cut = "{\"s\": \"abc";
    assert_int_equal(
        jsonString(jsonMember(cut, cut + strlen(cut), "s"), cut + strlen(cut), out, sizeof out),
        -1);
    const char *bad = "{\"s\": \"\\u12\"}";
    assert_int_equal(
        jsonString(jsonMember(bad, bad + strlen(bad), "s"), bad + strlen(bad), out, sizeof out),
        -1);
    assert_null(jsonMember("[1]", "[1]" + 3, "a"));
    assert_null(jsonFirst("[]", "[]" + 2));
    /* deep nesting is skipped without recursion */
    size_t n = 200000;
    char *deep = malloc(2 * n + 32);
    assert_non_null(deep);
    size_t k = (size_t)sprintf(deep, "{\"x\": ");
    memset(deep + k, '[', n);
    memset(deep + k + n, ']', n);
    strcpy(deep + k + 2 * n, ", \"y\": \"z\"}");
    assert_true(jsonStringIs(jsonMember(deep, deep + strlen(deep), "y"), deep + strlen(deep), "z"));
    free(deep);
}

/* A fresh cache over the recorded state files; the container REF resolves to. */
static const struct container *lookup(struct container_cache *c, enum container_runtime rt,
                                      const char *id, const char *pod)
{
    struct container_ref ref = {.runtime = rt};
    snprintf(ref.id, sizeof ref.id, "%s", id);
    snprintf(ref.podUid, sizeof ref.podUid, "%s", pod);
    struct container *ct = containerLookup(c, &ref);
    assert_non_null(ct);
    return containerResolve(c, ct);
}

static void state_files(void **state)
{
    (void)state;
    struct container_cache c;
    containerCacheInit(&c, ROOT);
    const struct container *ct = lookup(&c, RUNTIME_DOCKER, ID_A, "");
    assert_string_equal(ct->info.name, "web-\xc3\xa9t\xc3\xa9"); /* "/web-\u00e9t\u00e9" */
    assert_string_equal(ct->info.podName, "");

    ct = lookup(&c, RUNTIME_DOCKER, ID_B, POD); /* cri-dockerd's labels */
    assert_string_equal(ct->info.name, "coredns");
    assert_string_equal(ct->info.podName, "coredns-5d78c9869d-x7k2p");
    assert_string_equal(ct->info.podNamespace, "kube-system");
    assert_string_equal(ct->info.podUid, POD);

    ct = lookup(&c, RUNTIME_KUBE, ID_C, POD); /* a bare id: containerd's bundle says whose */
    assert_int_equal(ct->ref.runtime, RUNTIME_CONTAINERD);
    assert_string_equal(ct->info.name, "coredns");
    assert_string_equal(ct->info.podName, "coredns-5d78c9869d-x7k2p");
    assert_string_equal(ct->info.podNamespace, "kube-system");

    ct = lookup(&c, RUNTIME_CRIO, ID_D, "");
    assert_string_equal(ct->info.name, "nginx");
    assert_string_equal(ct->info.podName, "web-0");
    assert_string_equal(ct->info.podNamespace, "shop");
    assert_string_equal(ct->info.podUid, "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
    ct = lookup(&c, RUNTIME_CRIO, ID_E, ""); /* the pod's sandbox (pause) container */
    assert_string_equal(ct->info.name, "POD");

    ct = lookup(&c, RUNTIME_PODMAN, ID_P, ""); /* config.json has no name: containers.json */
    assert_string_equal(ct->info.name, "sqlsof-test-c1");

    ct = lookup(&c, RUNTIME_LXC, "web1", "");
    assert_string_equal(ct->info.name, "web1");

    /* no state files: the id and runtime stand, the rest is empty */
    ct = lookup(&c, RUNTIME_DOCKER, ID_E, "");
    assert_string_equal(ct->info.name, "");
    ct = lookup(&c, RUNTIME_KUBE, ID_D, POD);
    assert_int_equal(ct->ref.runtime, RUNTIME_KUBE);
    assert_string_equal(ct->info.podUid, POD);

    /* met is not read: the state files are read when a name or pod is asked for */
    struct container_ref fresh = {.runtime = RUNTIME_PODMAN, .id = ID_A};
    struct container *met = containerLookup(&c, &fresh);
    assert_int_equal(met->resolved, 0);
    assert_string_equal(met->info.name, "");

    /* each container is resolved once: a second lookup finds the same entry */
    int n = c.n;
    assert_ptr_equal(lookup(&c, RUNTIME_PODMAN, ID_P, ""), lookup(&c, RUNTIME_PODMAN, ID_P, ""));
    assert_int_equal(c.n, n);
    containerCacheFree(&c);
}

/* In a user's delegated subtree only root's state of the runtime confirms a container. */
static void delegated_needs_state(void **state)
{
    (void)state;
    struct container_cache c;
    containerCacheInit(&c, ROOT);
    struct container_ref ref;
    const char *user = "0::/user.slice/user-65534.slice/user@65534.service/app.slice/";
    char text[512];
    snprintf(text, sizeof text, "%sdocker-" ID_A ".scope\n", user);
    assert_int_equal(containerParseCgroup(text, strlen(text), &ref), 1);
    assert_int_equal(ref.delegated, 1);
    assert_int_equal(containerConfirmed(&c, &ref), 1); /* docker's own config.v2.json */
    snprintf(text, sizeof text, "%sdocker-" ID_E ".scope\n", user);
    assert_int_equal(containerParseCgroup(text, strlen(text), &ref), 1);
    assert_int_equal(containerConfirmed(&c, &ref), 0); /* no state: made up */
    snprintf(text, sizeof text, "%slxc.payload.web1\n", user);
    assert_int_equal(containerParseCgroup(text, strlen(text), &ref), 1);
    assert_int_equal(containerConfirmed(&c, &ref), 0);
    snprintf(text, sizeof text, "0::/system.slice/docker-" ID_E ".scope\n");
    assert_int_equal(containerParseCgroup(text, strlen(text), &ref), 1);
    assert_int_equal(ref.delegated, 0);
    assert_int_equal(containerConfirmed(&c, &ref), 1); /* the driver's form outside */
    containerCacheFree(&c);
}

static void state_parsers_on_odd_text(void **state)
{
    (void)state;
    struct container_info info = {0};
    assert_int_equal(containerStateDocker("", 0, &info), -1);
    assert_int_equal(containerStateDocker("{\"Name\": \"noslash\"}", 19, &info), -1);
    assert_int_equal(containerStateOci("{\"annotations\": 5}", 18, &info), -1);
    assert_int_equal(containerStateStorage("[{\"id\": \"x\"}]", 13, "x", &info), -1);
    assert_int_equal(containerStateStorage("[{\"id\": \"x\", \"names\": []}]", 25, "x", &info), -1);
    const char *t =
        "[{\"id\": \"y\", \"names\": [\"n1\", \"n2\"]}, {\"id\": \"x\", \"names\": [\"n3\"]}]";
    assert_int_equal(containerStateStorage(t, strlen(t), "x", &info), 0);
    assert_string_equal(info.name, "n3");
    assert_int_equal(containerStateStorage(t, strlen(t), "z", &info), -1);
}

static void status_nspid(void **state)
{
    (void)state;
    const char *t =
        "Name:\tsh\nTgid:\t4242\nNgid:\t0\nPid:\t4242\nPPid:\t4200\n"
        "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nNStgid:\t4242\t17\t1\nNSpid:\t4242\t17\t1\n";
    struct proc_status st;
    assert_int_equal(procParseStatus(t, strlen(t), &st), 0);
    assert_int_equal(st.nspid, 1);
    const char *host = "Tgid:\t9\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nNSpid:\t9\n";
    assert_int_equal(procParseStatus(host, strlen(host), &st), 0);
    assert_int_equal(st.nspid, 9);
    const char *old = "Tgid:\t9\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"; /* before Linux 4.1 */
    assert_int_equal(procParseStatus(old, strlen(old), &st), 0);
    assert_int_equal(st.nspid, 0);
}

static void mountinfo_netns(void **state)
{
    (void)state;
    const char *t = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                    "612 29 0:4 net:[4026532281] /run/netns/blue rw shared:5 - nsfs nsfs rw\n"
                    "613 29 0:4 mnt:[4026532282] /run/mnt-keep rw - nsfs nsfs rw\n"
                    "614 22 0:4 net:[4026532283] /tmp/with\\040space rw - nsfs nsfs rw\n"
                    "615 22 0:4 net:[4026532284] /var/fake rw - tmpfs tmpfs rw\n"
                    "616 22 0:4 net:[4026532285] /last rw - nsfs nsfs rw";
    size_t pos = 0;
    uint64_t ino;
    char path[64];
    assert_int_equal(mountinfoNextNetns(t, strlen(t), &pos, &ino, path, sizeof path), 1);
    assert_int_equal(ino, 4026532281ull);
    assert_string_equal(path, "/run/netns/blue");
    assert_int_equal(mountinfoNextNetns(t, strlen(t), &pos, &ino, path, sizeof path), 1);
    assert_int_equal(ino, 4026532283ull);
    assert_string_equal(path, "/tmp/with space");
    assert_int_equal(mountinfoNextNetns(t, strlen(t), &pos, &ino, path, sizeof path), 1);
    assert_int_equal(ino, 4026532285ull);
    assert_string_equal(path, "/last");
    assert_int_equal(mountinfoNextNetns(t, strlen(t), &pos, &ino, path, sizeof path), 0);
    /* a mount point longer than the room for it is skipped */
    pos = 0;
    assert_int_equal(mountinfoNextNetns(t, strlen(t), &pos, &ino, path, 8), 1);
    assert_string_equal(path, "/last");
}

TEST_MAIN("container readers", NULL, NULL,
          {
              cmocka_unit_test(cgroup_docker),
              cmocka_unit_test(cgroup_containerd_kubernetes),
              cmocka_unit_test(cgroup_crio),
              cmocka_unit_test(cgroup_podman),
              cmocka_unit_test(cgroup_lxc_and_nspawn),
              cmocka_unit_test(cgroup_host_and_garbage),
              cmocka_unit_test(runtime_names),
              cmocka_unit_test(json_scanner),
              cmocka_unit_test(state_files),
              cmocka_unit_test(delegated_needs_state),
              cmocka_unit_test(state_parsers_on_odd_text),
              cmocka_unit_test(status_nspid),
              cmocka_unit_test(mountinfo_netns),
          })
