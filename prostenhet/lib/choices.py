"""get_FOO_display() without rebuilding the field's choices at every call.

Django's Model._get_FIELD_display flattens the field's choices and makes them hashable into a
new dict at every call (about 60 µs for a handful of choices): a list of a hundred bookings
showing each one's status and kind spent more on that than on its query. The choices of a
field are fixed when its class is made, so the dict can be made once. Its labels stay lazy
translations, made into text in the language of the request at each call, as Django does.
"""

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


def _display(field):
    labels = dict(make_hashable(field.flatchoices))

    def get_display(instance):
        value = getattr(instance, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)

    get_display.__name__ = f"get_{field.name}_display"
    get_display.__doc__ = f"The label of {field.name}'s value, in the active language."
    return get_display


def speed_up_choice_labels(models):
    """Give every field with fixed choices of these models a get_FOO_display() whose choices
    are looked up in a dict made once. A model's own get_FOO_display, if it defines one, is
    left as it is; so are choices that are a callable (made anew at each use)."""
    for model in models:
        for field in model._meta.get_fields():
            if not getattr(field, "choices", None) or not isinstance(field.choices, list | tuple):
                continue
            if getattr(field, "model", None) is not model:
                continue  # inherited: its own model's class has it
            name = f"get_{field.name}_display"
            if name in model.__dict__ and hasattr(model.__dict__[name], "func"):
                # Django's partialmethod(Model._get_FIELD_display, field=...): replace it.
                setattr(model, name, _display(field))
