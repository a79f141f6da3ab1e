// A static split over a pool of worker threads that live as long as the
// process. Starting threads per call cost ~10-30 us each: decode makes a few
// hundred kernel calls per token, so a pool is the difference between
// threads helping and hurting. Workers spin briefly after each job (the next
// kernel usually follows within microseconds), then sleep on a condition
// variable, so an idle Hone uses no CPU.
#include <pthread.h>
#include <stdatomic.h>
#include "kernels.h"

#define MIN_WORK 50000.0 // flops-ish per thread below which waking one costs more than it saves
#define MAX_THREADS 64
#define SPIN 4000 // polls (~100 us) before a worker sleeps

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define relax() _mm_pause()
#else
#define relax() ((void)0)
#endif

typedef struct {
    range_fn fn;
    void *ctx;
    int start, end;
} job;

// The pool is process-wide like the cores it stands for; `use` makes one
// parallel_for at a time its owner, and a caller that finds it busy (another
// goroutine's kernel) runs its work on its own thread instead of waiting.
static struct {
    pthread_mutex_t use, m;
    pthread_cond_t wake, done;
    int workers;           // started so far, guarded by use
    atomic_long gen;       // bumped once per job handed out
    atomic_int pending;    // workers yet to finish the current job
    int active;            // workers 1..active-1 take part in the current job
    job jobs[MAX_THREADS]; // jobs[i] is worker i's share; 0 is the caller's
    long born[MAX_THREADS]; // gen when worker i was started: its first job is the next one
} pool = {.use = PTHREAD_MUTEX_INITIALIZER, .m = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER,
        .done = PTHREAD_COND_INITIALIZER};

static void *worker(void *arg) {
    int id = (int)(long)arg;
    long seen = pool.born[id];
    for (;;) {
        int spins = 0;
        while (atomic_load_explicit(&pool.gen, memory_order_acquire) == seen) {
            if (++spins < SPIN) {
                relax();
                continue;
            }
            pthread_mutex_lock(&pool.m);
            while (atomic_load(&pool.gen) == seen) pthread_cond_wait(&pool.wake, &pool.m);
            pthread_mutex_unlock(&pool.m);
        }
        seen = atomic_load(&pool.gen);
        if (id < pool.active) {
            job *j = &pool.jobs[id];
            j->fn(j->ctx, j->start, j->end);
            if (atomic_fetch_sub_explicit(&pool.pending, 1, memory_order_acq_rel) == 1) {
                pthread_mutex_lock(&pool.m);
                pthread_cond_signal(&pool.done);
                pthread_mutex_unlock(&pool.m);
            }
        }
    }
    return NULL;
}

// grow starts workers up to k-1 (the caller is the k-th) and returns how
// many threads can take part.
static int grow(int k) {
    while (pool.workers < k - 1) {
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        pool.born[pool.workers + 1] = atomic_load(&pool.gen);
        int ok = pthread_create(&t, &at, worker, (void *)(long)(pool.workers + 1)) == 0;
        pthread_attr_destroy(&at);
        if (!ok) break;
        pool.workers++;
    }
    return pool.workers + 1 < k ? pool.workers + 1 : k;
}

void parallel_for(int n, int nthreads, double work_per_item, range_fn fn, void *ctx) {
    int k = nthreads < MAX_THREADS ? nthreads : MAX_THREADS;
    double total = work_per_item * n;
    if (k > n) k = n;
    if (k > 1 && total / k < MIN_WORK) k = (int)(total / MIN_WORK);
    if (k <= 1 || pthread_mutex_trylock(&pool.use) != 0) {
        if (n > 0) fn(ctx, 0, n);
        return;
    }
    k = grow(k);
    for (int i = 0; i < k; i++) pool.jobs[i] = (job){fn, ctx, (int)((long)n * i / k), (int)((long)n * (i + 1) / k)};
    pool.active = k;
    atomic_store(&pool.pending, k - 1);
    pthread_mutex_lock(&pool.m);
    atomic_fetch_add_explicit(&pool.gen, 1, memory_order_release);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.m);
    fn(ctx, pool.jobs[0].start, pool.jobs[0].end);
    // Spin while the others finish, then sleep: on a busy machine a worker
    // may have lost its core, and spinning would keep it from getting it back.
    for (int spins = 0; atomic_load_explicit(&pool.pending, memory_order_acquire) > 0; spins++) {
        if (spins < SPIN) {
            relax();
            continue;
        }
        pthread_mutex_lock(&pool.m);
        while (atomic_load(&pool.pending) > 0) pthread_cond_wait(&pool.done, &pool.m);
        pthread_mutex_unlock(&pool.m);
    }
    pthread_mutex_unlock(&pool.use);
}

int cpu_has_avx2(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}
