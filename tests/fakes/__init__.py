"""An in-memory wiki for in-process tests: no MediaWiki, no PHP, no network.

:class:`~fakes.wiki.FakeWiki` holds users, pages, logs and the mail sent;
:mod:`fakes.api` answers the API requests of the script and of Pywikibot as MediaWiki
1.43 does; :class:`~fakes.site.FakeSite` is a real Pywikibot ``APISite`` whose requests
that wiki answers. The fixtures ``fake_wiki`` and ``fake_site`` (tests/conftest.py) give
a test both, with the script's own POSTs routed to the wiki::

    def test_an_opted_out_user_is_skipped(fake_site, fake_wiki, tmp_path):
        fake_wiki.add_user('Alice')
        fake_wiki.add_user('Bob')
        fake_wiki.opt_out('Bob')
        counts = email_users(fake_site, ['Alice', 'Bob'], 'Hi', 'Hello.',
                             journal=str(tmp_path / 'journal.sqlite'))
        assert counts == {'sent': 1, 'opted-out': 1}
        assert [m.target for m in fake_wiki.mails] == ['Alice']

The answers were compared with MediaWiki 1.43's, request by request. What a real wiki
does otherwise:

- An unknown module (``list=nosuchlist``) is a ``badvalue`` error here, a warning and an
  empty answer there: a request this fake does not model fails loudly.
- ``meta=siteinfo`` gives the ``general`` keys that Pywikibot and the script read, no
  interwiki prefix unless the wiki is given some, and the special page aliases of
  Special:EmailUser and Special:Mute only.
- ``meta=userinfo`` gives the rights the script reads, and as rate limits only
  ``sendemail``, when the user has an ``email_limit``; that limit is enforced, as 1.39
  does (1.43 reports the limit but let API emails past it on the test wiki).
- Links, categories, templates and redirects are read from the wikitext with regular
  expressions, without transclusion (``Page.extra_categories`` stands for categories a
  template adds); ``action=parse`` renders paragraphs of escaped text unless the page
  is given its HTML; messages are English, with ``{{SITENAME}}`` the only magic word.
- ``gplcontinue``, ``gtlcontinue`` and ``gclcontinue`` are offsets, not MediaWiki's
  ``pageid|ns|title``; missing pages come last asked first, not grouped by namespace.
- Error texts are short; the codes are 1.43's (``nowikiemailtext``, ``noemailtext``,
  ``emailnotarget``): ``fail()`` gives any other code a test needs, such as 1.39's.
- Logging in needs no password; a logged-out edit is refused, where 1.43 would make a
  temporary account.
"""
