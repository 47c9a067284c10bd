"""Names that cannot be accounts: an IP address is told apart without parsing every name."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st
from pywikibot.tools import is_ip_address, is_ip_network

from emailuserlib.wiki.site import name_problem

addresses = st.one_of(
    st.ip_addresses().map(str),
    st.ip_addresses(v=4).map(lambda a: f'{a}/32'),
    st.ip_addresses(v=6).map(lambda a: f'{a}/128'),
)


@given(st.one_of(st.text(), addresses, st.text(alphabet='0123456789abcdefABCDEF.:/%')))
@example('fe80::1%eth0')
@example('10.0.0.0/8')
@example('1234')
def test_an_ip_address_is_found_as_pywikibot_finds_it(name):
    expected = bool(name) and (is_ip_address(name) or is_ip_network(name))
    assert (name_problem(name) == 'IP address') == expected
