"""URL patterns of the blog context's web pages (product.md, "Web UI")."""

from django.urls import path

from contexts.blog.web import account_views, feeds, views

app_name = "blog_web"

urlpatterns = [
    path("", views.home, name="home"),
    path("feed", feeds.EntriesFeed.view(), name="feed"),
    path("rss", views.feed_elsewhere),
    path("atom.xml", views.feed_elsewhere),
    path("blogs", views.blogs_public, name="blogs"),
    path("signup", views.signup, name="signup"),
    path("signin", views.signin, name="signin"),
    path("signout", views.signout, name="signout"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("my/account", account_views.account, name="account"),
    path("my/account/delete", account_views.account_delete, name="account_delete"),
    path("my/blogs", views.my_blogs, name="my_blogs"),
    # "-" can never be a blog path (paths start with a letter or digit).
    path("my/blogs/-/create", views.blog_create, name="blog_create"),
    path("my/blogs/<str:path>", views.blog_manage, name="blog_manage"),
    path("my/blogs/<str:path>/edit", views.blog_edit, name="blog_edit"),
    path("my/blogs/<str:path>/delete", views.blog_delete, name="blog_delete"),
    path("my/blogs/<str:path>/entries/-/publish", views.entry_publish, name="entry_publish"),
    path("my/blogs/<str:path>/entries/<str:entry_id>", views.entry_manage, name="entry_manage"),
    path("my/blogs/<str:path>/entries/<str:entry_id>/edit", views.entry_edit, name="entry_edit"),
    path(
        "my/blogs/<str:path>/entries/<str:entry_id>/publish",
        views.entry_publish_draft,
        name="entry_publish_draft",
    ),
    path(
        "my/blogs/<str:path>/entries/<str:entry_id>/unpublish",
        views.entry_unpublish,
        name="entry_unpublish",
    ),
    path("blogs/<str:path>", views.blog_public, name="blog"),
    path("blogs/<str:path>/feed", feeds.BlogFeed.view(), name="blog_feed"),
    path("blogs/<str:path>/entries/<str:entry_id>", views.entry_public, name="entry"),
    path("authors/<str:name>", views.author_public, name="author"),
    path("authors/<str:name>/feed", feeds.AuthorFeed.view(), name="author_feed"),
]
