/* The real workload of real-capture.test.ts: a thread, a fork, an exec in the child, exits.
 * Prints "main thread child" (the pid, the thread's tid, the child's pid) for the test to check. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t thread_tid;

static void *worker(void *arg) {
  (void)arg;
  thread_tid = (pid_t)syscall(SYS_gettid);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1) return 0; /* the exec'd image exits at once */
  pthread_t thread;
  pthread_create(&thread, NULL, worker, NULL);
  pthread_join(thread, NULL);
  pid_t child = fork();
  if (child == 0) {
    execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
    _exit(127);
  }
  waitpid(child, NULL, 0);
  printf("%d %d %d\n", getpid(), thread_tid, child);
  return 0;
}
