from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def client_list(request):
    return render(request, "parties/client_list.html", {})
