/// SSRRendering — see ../shared/DESIGN.md; filled by its own issue.
public enum SSRRenderingModule {}
