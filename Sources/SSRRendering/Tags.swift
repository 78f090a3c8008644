// The tag functions. Each makes an ``Element``; attributes first, content in a builder block.

/// A `<div>` element.
@inlinable public func div<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "div", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<div>` element.
@inlinable public func div(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "div", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<span>` element.
@inlinable public func span<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "span", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<span>` element.
@inlinable public func span(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "span", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<p>` element.
@inlinable public func p<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "p", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<p>` element.
@inlinable public func p(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "p", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<a>` element.
@inlinable public func a<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "a", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<a>` element.
@inlinable public func a(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "a", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<h1>` element.
@inlinable public func h1<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "h1", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<h1>` element.
@inlinable public func h1(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "h1", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<h2>` element.
@inlinable public func h2<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "h2", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<h2>` element.
@inlinable public func h2(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "h2", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<h3>` element.
@inlinable public func h3<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "h3", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<h3>` element.
@inlinable public func h3(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "h3", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<h4>` element.
@inlinable public func h4<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "h4", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<h4>` element.
@inlinable public func h4(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "h4", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<h5>` element.
@inlinable public func h5<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "h5", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<h5>` element.
@inlinable public func h5(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "h5", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<h6>` element.
@inlinable public func h6<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "h6", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<h6>` element.
@inlinable public func h6(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "h6", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<ul>` element.
@inlinable public func ul<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "ul", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<ul>` element.
@inlinable public func ul(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "ul", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<ol>` element.
@inlinable public func ol<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "ol", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<ol>` element.
@inlinable public func ol(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "ol", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<li>` element.
@inlinable public func li<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "li", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<li>` element.
@inlinable public func li(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "li", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<nav>` element.
@inlinable public func nav<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "nav", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<nav>` element.
@inlinable public func nav(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "nav", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<header>` element.
@inlinable public func header<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "header", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<header>` element.
@inlinable public func header(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "header", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<footer>` element.
@inlinable public func footer<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "footer", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<footer>` element.
@inlinable public func footer(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "footer", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<main>` element.
@inlinable public func main<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "main", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<main>` element.
@inlinable public func main(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "main", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<section>` element.
@inlinable public func section<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "section", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<section>` element.
@inlinable public func section(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "section", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<article>` element.
@inlinable public func article<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "article", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<article>` element.
@inlinable public func article(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "article", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<aside>` element.
@inlinable public func aside<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "aside", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<aside>` element.
@inlinable public func aside(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "aside", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<form>` element.
@inlinable public func form<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "form", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<form>` element.
@inlinable public func form(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "form", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<button>` element.
@inlinable public func button<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "button", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<button>` element.
@inlinable public func button(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "button", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<label>` element.
@inlinable public func label<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "label", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<label>` element.
@inlinable public func label(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "label", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<select>` element.
@inlinable public func select<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "select", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<select>` element.
@inlinable public func select(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "select", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<option>` element.
@inlinable public func option<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "option", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<option>` element.
@inlinable public func option(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "option", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<textarea>` element.
@inlinable public func textarea<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "textarea", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<textarea>` element.
@inlinable public func textarea(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "textarea", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<strong>` element.
@inlinable public func strong<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "strong", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<strong>` element.
@inlinable public func strong(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "strong", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<em>` element.
@inlinable public func em<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "em", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<em>` element.
@inlinable public func em(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "em", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<small>` element.
@inlinable public func small<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "small", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<small>` element.
@inlinable public func small(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "small", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<code>` element.
@inlinable public func code<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "code", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<code>` element.
@inlinable public func code(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "code", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<pre>` element.
@inlinable public func pre<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "pre", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<pre>` element.
@inlinable public func pre(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "pre", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<table>` element.
@inlinable public func table<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "table", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<table>` element.
@inlinable public func table(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "table", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<thead>` element.
@inlinable public func thead<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "thead", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<thead>` element.
@inlinable public func thead(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "thead", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<tbody>` element.
@inlinable public func tbody<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "tbody", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<tbody>` element.
@inlinable public func tbody(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "tbody", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<tr>` element.
@inlinable public func tr<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "tr", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<tr>` element.
@inlinable public func tr(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "tr", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<th>` element.
@inlinable public func th<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "th", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<th>` element.
@inlinable public func th(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "th", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<td>` element.
@inlinable public func td<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "td", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<td>` element.
@inlinable public func td(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "td", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<time>` element.
@inlinable public func time<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "time", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<time>` element.
@inlinable public func time(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "time", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<figure>` element.
@inlinable public func figure<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "figure", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<figure>` element.
@inlinable public func figure(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "figure", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<figcaption>` element.
@inlinable public func figcaption<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "figcaption", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<figcaption>` element.
@inlinable public func figcaption(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "figcaption", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<blockquote>` element.
@inlinable public func blockquote<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "blockquote", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<blockquote>` element.
@inlinable public func blockquote(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "blockquote", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<dl>` element.
@inlinable public func dl<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "dl", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<dl>` element.
@inlinable public func dl(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "dl", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<dt>` element.
@inlinable public func dt<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "dt", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<dt>` element.
@inlinable public func dt(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "dt", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<dd>` element.
@inlinable public func dd<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "dd", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<dd>` element.
@inlinable public func dd(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "dd", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<mark>` element.
@inlinable public func mark<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "mark", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<mark>` element.
@inlinable public func mark(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "mark", attributes: attributes, content: EmptyHTML(), isVoid: false)
}

/// A `<abbr>` element.
@inlinable public func abbr<Content: HTML>(_ attributes: Attribute..., @HTMLBuilder content: () -> Content) -> Element<Content> {
    Element(tag: "abbr", attributes: attributes, content: content(), isVoid: false)
}
/// An empty `<abbr>` element.
@inlinable public func abbr(_ attributes: Attribute...) -> Element<EmptyHTML> {
    Element(tag: "abbr", attributes: attributes, content: EmptyHTML(), isVoid: false)
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
