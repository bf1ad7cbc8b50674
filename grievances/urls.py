from django.urls import path

from grievances import views

app_name = "grievances"
urlpatterns = [
    path("new/", views.lodge, name="lodge"),
    path("track/", views.track, name="track"),
    path("verify/", views.verify_letter, name="verify_letter"),
    path("<str:reference>/", views.case, name="case"),
    path("<str:reference>/acknowledgement/", views.acknowledgement, name="acknowledgement"),
    path("<str:reference>/reply/", views.reply, name="reply"),
    path("<str:reference>/answer/", views.provide_information, name="answer"),
    path("<str:reference>/accept/", views.accept, name="accept"),
    path("<str:reference>/appeal/", views.appeal, name="appeal"),
    path("<str:reference>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:reference>/language/", views.change_language, name="language"),
    path("<str:reference>/outcome.pdf", views.outcome_letter, name="outcome_letter"),
    path("<str:reference>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
