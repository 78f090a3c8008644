import NIOCore

/// A `TaskExecutor` that runs jobs on one NIO event loop.
///
/// Each connection's task prefers the executor of its channel's loop, so handler code runs on the thread
/// that owns the socket: no hop to the global concurrency pool and back per request (Documentation/Architecture.md,
/// *The server engine*).
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.loop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
