from django import template

from accounts.navigation import MenuEntry, menu_for

register = template.Library()


@register.simple_tag
def main_menu(user) -> list[MenuEntry]:
    """{% main_menu user as entries %}: the menu entries the user's role may open."""
    return menu_for(user.role)
