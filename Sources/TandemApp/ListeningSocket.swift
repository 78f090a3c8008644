import NIOCore

#if canImport(Glibc)
import Glibc
private let systemSocket = Glibc.socket
private let systemBind = Glibc.bind
#elseif canImport(Darwin)
import Darwin
private let systemSocket = Darwin.socket
private let systemBind = Darwin.bind
#endif

/// Binds a listening TCP socket before the server that serves it exists, so its port is known up front.
enum ListeningSocket {
    /// A bound, listening socket on `host:port` and its port (the kernel's pick when `port` is 0).
    static func bind(host: String, port: Int, name: String, backlog: CInt = 256) throws -> (socket: CInt, port: Int) {
        func failure(_ what: String) -> TandemAppError {
            TandemAppError(description: "\(name): cannot listen on \(host):\(port): \(what) (\(String(cString: strerror(errno))))")
        }
        let address: SocketAddress
        do {
            address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        } catch {
            throw TandemAppError(description: "\(name): cannot listen on \(host):\(port): \(error)")
        }
        // No members of C types here (`SOCK_STREAM.rawValue`, `sockaddr_storage()`, `.ss_family`): with NIO in the
        // build, which module those types belong to depends on what a compile batch loaded first, and member-import
        // visibility then refuses them at random (a clean CI build did, for `in6_addr()`).
        #if canImport(Glibc)
        let type: CInt = 1 | 0o2000000  // Linux's SOCK_STREAM | SOCK_CLOEXEC
        #else
        let type = SOCK_STREAM
        #endif
        let socket = systemSocket(address.protocol.rawValue, type, 0)
        guard socket >= 0 else { throw failure("socket") }
        var yes: CInt = 1
        _ = setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<CInt>.size))
        let bound = address.withSockAddr { pointer, size in systemBind(socket, pointer, socklen_t(size)) }
        guard bound == 0 else {
            let error = failure("bind")
            close(socket)
            throw error
        }
        guard listen(socket, backlog) == 0 else {
            let error = failure("listen")
            close(socket)
            throw error
        }
        var storage = [UInt8](repeating: 0, count: 128)  // as large as sockaddr_storage
        var length = socklen_t(storage.count)
        let named = storage.withUnsafeMutableBytes { getsockname(socket, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length) }
        guard named == 0 else {
            let error = failure("getsockname")
            close(socket)
            throw error
        }
        // `sin_port` and `sin6_port` both sit at byte offset 2, in network byte order.
        let boundPort = UInt16(storage[2]) << 8 | UInt16(storage[3])
        return (socket, Int(boundPort))
    }
}
