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
        #if canImport(Glibc)
        let type = CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        let family: CInt =
            switch address {
            case .v6: AF_INET6
            default: AF_INET
            }
        let socket = systemSocket(family, type, 0)
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
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard named == 0 else {
            let error = failure("getsockname")
            close(socket)
            throw error
        }
        // `sin_port` and `sin6_port` both sit at byte offset 2, in network byte order.
        let boundPort: UInt16 = withUnsafeBytes(of: &storage) { UInt16($0[2]) << 8 | UInt16($0[3]) }
        return (socket, Int(boundPort))
    }
}
