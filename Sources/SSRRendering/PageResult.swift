public import HTTPTypes

/// What a page's loader decided: render these props (with a status), answer 404, or redirect.
///
/// ```swift
/// func load(_ context: PageContext) async throws -> PageResult<Props> {
///     guard let id = context.parameters["id"] else { return .notFound }
///     guard let item = try await context.api.get("/api/items/\(id)/", as: Item?.self) else { return .notFound }
///     return .props(Props(item: item))
/// }
/// ```
public struct PageResult<Props: Sendable>: Sendable {
    enum Kind: Sendable {
        case render(HTTPResponse.Status, Props)
        case notFound
        case redirect(String, HTTPResponse.Status)
    }

    let kind: Kind

    /// Render the page with `props` (200).
    public static func props(_ props: Props) -> Self { Self(kind: .render(.ok, props)) }

    /// Render the page with `props` and another status (e.g. 410 Gone, or 422 for a form with errors).
    public static func status(_ status: HTTPResponse.Status, _ props: Props) -> Self { Self(kind: .render(status, props)) }

    /// Answer with the 404 error page.
    public static var notFound: Self { Self(kind: .notFound) }

    /// Redirect to `location`: 302 Found, or 301 Moved Permanently when `permanent`.
    public static func redirect(to location: String, permanent: Bool = false) -> Self {
        Self(kind: .redirect(location, permanent ? .movedPermanently : .found))
    }

    /// Redirect after a form post with 303 See Other, so reloading the target does not post again.
    public static func seeOther(_ location: String) -> Self { Self(kind: .redirect(location, .seeOther)) }
}
