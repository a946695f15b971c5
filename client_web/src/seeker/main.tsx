import { render } from "preact";
import "../styles/base.css";
import "./seeker.css";
import { SeekerApp } from "./SeekerApp";

render(<SeekerApp />, document.getElementById("app") as HTMLElement);
