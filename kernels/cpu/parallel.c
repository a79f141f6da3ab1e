// A static split over fresh pthreads per call: no pool means no global state,
// and the kernels only go parallel when the work dwarfs thread start-up.
#include <pthread.h>
#include "kernels.h"

#define MIN_WORK 200000.0 // flops-ish per thread; ~20 us, against ~10 us to start one

typedef struct {
    range_fn fn;
    void *ctx;
    int start, end;
} job;

static void *run_job(void *p) {
    job *j = p;
    j->fn(j->ctx, j->start, j->end);
    return NULL;
}

void parallel_for(int n, int nthreads, double work_per_item, range_fn fn, void *ctx) {
    int k = nthreads;
    double total = work_per_item * n;
    if (k > n) k = n;
    if (k > 1 && total / k < MIN_WORK) k = (int)(total / MIN_WORK);
    if (k <= 1) {
        if (n > 0) fn(ctx, 0, n);
        return;
    }
    job jobs[k];
    pthread_t tids[k];
    int started[k];
    for (int i = 0; i < k; i++) {
        jobs[i] = (job){fn, ctx, (int)((long)n * i / k), (int)((long)n * (i + 1) / k)};
    }
    for (int i = 1; i < k; i++) {
        started[i] = pthread_create(&tids[i], NULL, run_job, &jobs[i]) == 0;
        if (!started[i]) run_job(&jobs[i]); // out of threads: do it here
    }
    run_job(&jobs[0]);
    for (int i = 1; i < k; i++) {
        if (started[i]) pthread_join(tids[i], NULL);
    }
}

int cpu_has_avx2(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}
