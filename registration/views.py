from django.http import HttpResponse


def contact_list(request):
    return HttpResponse("")
