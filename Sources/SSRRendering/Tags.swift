// The tag functions, one per element: attributes first, content (if any) in a builder block, which may be left out
// for an empty element. Each is the same one line over `Element`; the list is the table of the elements Tandem
// names (any other: `Element(tag:)`).
//
//     div(.class("card")) { h2 { "Title" }; p { text } }
//     div(.id("slot"))          // <div id="slot"></div>
//     img(.src(url), .alt(""))  // void: no content, no end tag

/// A `<div>` element.
@inlinable public func div<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "div", attributes: attributes, content: content(), isVoid: false)
}
/// A `<span>` element.
@inlinable public func span<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "span", attributes: attributes, content: content(), isVoid: false)
}
/// A `<p>` element.
@inlinable public func p<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "p", attributes: attributes, content: content(), isVoid: false)
}
/// A `<a>` element.
@inlinable public func a<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "a", attributes: attributes, content: content(), isVoid: false)
}
/// A `<h1>` element.
@inlinable public func h1<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "h1", attributes: attributes, content: content(), isVoid: false)
}
/// A `<h2>` element.
@inlinable public func h2<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "h2", attributes: attributes, content: content(), isVoid: false)
}
/// A `<h3>` element.
@inlinable public func h3<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "h3", attributes: attributes, content: content(), isVoid: false)
}
/// A `<h4>` element.
@inlinable public func h4<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "h4", attributes: attributes, content: content(), isVoid: false)
}
/// A `<h5>` element.
@inlinable public func h5<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "h5", attributes: attributes, content: content(), isVoid: false)
}
/// A `<h6>` element.
@inlinable public func h6<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "h6", attributes: attributes, content: content(), isVoid: false)
}
/// A `<ul>` element.
@inlinable public func ul<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "ul", attributes: attributes, content: content(), isVoid: false)
}
/// A `<ol>` element.
@inlinable public func ol<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "ol", attributes: attributes, content: content(), isVoid: false)
}
/// A `<li>` element.
@inlinable public func li<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "li", attributes: attributes, content: content(), isVoid: false)
}
/// A `<nav>` element.
@inlinable public func nav<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "nav", attributes: attributes, content: content(), isVoid: false)
}
/// A `<header>` element.
@inlinable public func header<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "header", attributes: attributes, content: content(), isVoid: false)
}
/// A `<footer>` element.
@inlinable public func footer<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "footer", attributes: attributes, content: content(), isVoid: false)
}
/// A `<main>` element.
@inlinable public func main<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "main", attributes: attributes, content: content(), isVoid: false)
}
/// A `<section>` element.
@inlinable public func section<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "section", attributes: attributes, content: content(), isVoid: false)
}
/// A `<article>` element.
@inlinable public func article<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "article", attributes: attributes, content: content(), isVoid: false)
}
/// A `<aside>` element.
@inlinable public func aside<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "aside", attributes: attributes, content: content(), isVoid: false)
}
/// A `<form>` element.
@inlinable public func form<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "form", attributes: attributes, content: content(), isVoid: false)
}
/// A `<button>` element.
@inlinable public func button<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "button", attributes: attributes, content: content(), isVoid: false)
}
/// A `<label>` element.
@inlinable public func label<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "label", attributes: attributes, content: content(), isVoid: false)
}
/// A `<select>` element.
@inlinable public func select<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "select", attributes: attributes, content: content(), isVoid: false)
}
/// A `<option>` element.
@inlinable public func option<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "option", attributes: attributes, content: content(), isVoid: false)
}
/// A `<textarea>` element.
@inlinable public func textarea<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "textarea", attributes: attributes, content: content(), isVoid: false)
}
/// A `<strong>` element.
@inlinable public func strong<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "strong", attributes: attributes, content: content(), isVoid: false)
}
/// A `<em>` element.
@inlinable public func em<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "em", attributes: attributes, content: content(), isVoid: false)
}
/// A `<small>` element.
@inlinable public func small<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "small", attributes: attributes, content: content(), isVoid: false)
}
/// A `<code>` element.
@inlinable public func code<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "code", attributes: attributes, content: content(), isVoid: false)
}
/// A `<pre>` element.
@inlinable public func pre<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "pre", attributes: attributes, content: content(), isVoid: false)
}
/// A `<table>` element.
@inlinable public func table<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "table", attributes: attributes, content: content(), isVoid: false)
}
/// A `<thead>` element.
@inlinable public func thead<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "thead", attributes: attributes, content: content(), isVoid: false)
}
/// A `<tbody>` element.
@inlinable public func tbody<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "tbody", attributes: attributes, content: content(), isVoid: false)
}
/// A `<tr>` element.
@inlinable public func tr<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "tr", attributes: attributes, content: content(), isVoid: false)
}
/// A `<th>` element.
@inlinable public func th<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "th", attributes: attributes, content: content(), isVoid: false)
}
/// A `<td>` element.
@inlinable public func td<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "td", attributes: attributes, content: content(), isVoid: false)
}
/// A `<time>` element.
@inlinable public func time<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "time", attributes: attributes, content: content(), isVoid: false)
}
/// A `<figure>` element.
@inlinable public func figure<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "figure", attributes: attributes, content: content(), isVoid: false)
}
/// A `<figcaption>` element.
@inlinable public func figcaption<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "figcaption", attributes: attributes, content: content(), isVoid: false)
}
/// A `<blockquote>` element.
@inlinable public func blockquote<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "blockquote", attributes: attributes, content: content(), isVoid: false)
}
/// A `<dl>` element.
@inlinable public func dl<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "dl", attributes: attributes, content: content(), isVoid: false)
}
/// A `<dt>` element.
@inlinable public func dt<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "dt", attributes: attributes, content: content(), isVoid: false)
}
/// A `<dd>` element.
@inlinable public func dd<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "dd", attributes: attributes, content: content(), isVoid: false)
}
/// A `<mark>` element.
@inlinable public func mark<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "mark", attributes: attributes, content: content(), isVoid: false)
}
/// A `<abbr>` element.
@inlinable public func abbr<Content: HTML>(
    _ attributes: Attribute...,
    @HTMLBuilder content: () -> Content = { EmptyHTML() }
) -> Element<Content> {
    Element(tag: "abbr", attributes: attributes, content: content(), isVoid: false)
}

/// A `<img>` element (void: no content, no end tag).
@inlinable public func img(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "img", attributes: attributes, content: EmptyHTML(), isVoid: true)
}
/// A `<input>` element (void: no content, no end tag).
@inlinable public func input(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "input", attributes: attributes, content: EmptyHTML(), isVoid: true)
}
/// A `<br>` element (void: no content, no end tag).
@inlinable public func br(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "br", attributes: attributes, content: EmptyHTML(), isVoid: true)
}
/// A `<hr>` element (void: no content, no end tag).
@inlinable public func hr(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "hr", attributes: attributes, content: EmptyHTML(), isVoid: true)
}
/// A `<meta>` element (void: no content, no end tag).
@inlinable public func meta(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "meta", attributes: attributes, content: EmptyHTML(), isVoid: true)
}
/// A `<link>` element (void: no content, no end tag).
@inlinable public func link(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "link", attributes: attributes, content: EmptyHTML(), isVoid: true)
}
